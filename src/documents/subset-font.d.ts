// Types for `subset-font` (HarfBuzz subsetting in wasm), which ships none.
declare module 'subset-font' {
  interface SubsetFontOptions {
    targetFormat?: 'sfnt' | 'truetype' | 'woff' | 'woff2'
    noLayoutClosure?: boolean
    preserveNameIds?: number[]
    keepFeatures?: readonly string[]
    noHinting?: boolean
    dropTables?: readonly string[]
  }
  function subsetFont (font: Uint8Array, text: string, options?: SubsetFontOptions): Promise<Buffer>
  export default subsetFont
}
