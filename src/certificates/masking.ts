// What the public may see of a person: names masked 张*三 style, never an ID number.

/**
 * Masks a name for public display, by characters (code points), keeping the first and last:
 * 张三 → 张*, 张小三 → 张*三, 欧阳娜娜 → 欧**娜, 买买提·艾力 → 买****力. Latin names keep initials.
 */
export function maskName (name: string): string {
  const chars = [...name.trim()]
  if (chars.length <= 1) return '*'
  if (chars.length === 2) return `${chars[0]}*`
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1]
}
