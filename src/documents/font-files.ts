// The certificate's font files: Noto Serif SC, and Noto Serif JP for the code points SC lacks, in the two weights the page uses.
export type FontWeight = 'regular' | 'bold'

export const certificateFontFiles: Readonly<Record<FontWeight, { readonly primary: string, readonly fallback: string }>> = {
  regular: {
    primary: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
    fallback: '@expo-google-fonts/noto-serif-jp/400Regular/NotoSerifJP_400Regular.ttf',
  },
  bold: {
    primary: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
    fallback: '@expo-google-fonts/noto-serif-jp/700Bold/NotoSerifJP_700Bold.ttf',
  },
}
