// Line breaking for Chinese text: between any two hanzi, never before closing or after opening punctuation.

/**
 * Text in one style. `keepTogether` asks not to break inside it (a name) unless it is wider than a line;
 * `keepWithNext` also keeps it on the line of the next span's first word or hanzi (2025 年度).
 */
export interface Span<S> {
  readonly text: string
  readonly style: S
  readonly keepTogether?: boolean
  readonly keepWithNext?: boolean
}

export interface Piece<S> {
  readonly text: string
  readonly style: S
}

export interface Line<S> {
  readonly pieces: Array<Piece<S>>
  /** Natural width, as measured. */
  readonly width: number
}

/** Atoms are the unbreakable units: a hanzi with its punctuation, a Latin word, a kept-together span, a space. */
interface Atom<S> {
  pieces: Array<Piece<S>>
  space: boolean
  /** An opening bracket waits for what follows it. */
  glueNext: boolean
}

// 禁则 (kinsoku): these may not start a line…
const closing = new Set([...'，。、；：？！）】》」』〕〉〗｝”’…—·～％‰,.;:?!)]}%'])
// …and these may not end one.
const opening = new Set([...'（【《「『〔〈〖｛“‘([{'])
const wordCharacter = /^[\p{Script=Latin}\p{Nd}'’\-_/@#&+]$/u

/**
 * Breaks `spans` into lines no wider than `maxWidth` as given by `measure`. Spaces at line ends
 * are dropped; an atom wider than a whole line is split between code points.
 */
export function breakIntoLines<S> (
  spans: ReadonlyArray<Span<S>>, maxWidth: number, measure: (text: string, style: S) => number,
): Array<Line<S>> {
  const widthOf = (pieces: ReadonlyArray<Piece<S>>): number =>
    pieces.reduce((sum, piece) => sum + measure(piece.text, piece.style), 0)
  const lines: Array<Line<S>> = []
  let line: Array<Piece<S>> = []
  let lineWidth = 0
  let pendingSpace: Atom<S> | null = null
  const finishLine = (): void => {
    if (line.length > 0) lines.push({ pieces: mergePieces(line), width: lineWidth })
    line = []
    lineWidth = 0
    pendingSpace = null
  }

  for (const atom of atomsOf(spans)) {
    if (atom.space) {
      if (line.length > 0) pendingSpace = atom
      continue
    }
    const spaceWidth = pendingSpace === null ? 0 : widthOf(pendingSpace.pieces)
    const atomWidth = widthOf(atom.pieces)
    if (lineWidth + spaceWidth + atomWidth <= maxWidth + 1e-6) {
      if (pendingSpace !== null) line.push(...pendingSpace.pieces)
      line.push(...atom.pieces)
      lineWidth += spaceWidth + atomWidth
      pendingSpace = null
      continue
    }
    finishLine()
    if (atomWidth <= maxWidth + 1e-6) {
      line.push(...atom.pieces)
      lineWidth = atomWidth
      continue
    }
    for (const piece of atom.pieces) {
      for (const character of piece.text) {
        const width = measure(character, piece.style)
        if (line.length > 0 && lineWidth + width > maxWidth + 1e-6) finishLine()
        line.push({ text: character, style: piece.style })
        lineWidth += width
      }
    }
  }
  finishLine()
  return lines
}

function atomsOf<S> (spans: ReadonlyArray<Span<S>>): Array<Atom<S>> {
  const atoms: Array<Atom<S>> = []
  const last = (): Atom<S> | undefined => atoms[atoms.length - 1]
  const start = (piece: Piece<S>, space = false): void => {
    atoms.push({ pieces: [piece], space, glueNext: false })
  }
  const extend = (atom: Atom<S>, piece: Piece<S>): void => {
    const tail = atom.pieces[atom.pieces.length - 1]
    if (tail !== undefined && tail.style === piece.style) {
      atom.pieces[atom.pieces.length - 1] = { text: tail.text + piece.text, style: piece.style }
    } else {
      atom.pieces.push(piece)
    }
  }

  for (const span of spans) {
    if (span.keepTogether === true && span.text.length > 0) {
      const previous = last()
      if (previous?.glueNext === true) extend(previous, { text: span.text, style: span.style })
      else start({ text: span.text, style: span.style })
      const atom = last()
      if (atom !== undefined) atom.glueNext = span.keepWithNext === true
      continue
    }
    let previousCharacter = ''
    for (const character of span.text) {
      const piece = { text: character, style: span.style }
      const previous = last()
      if (previous?.glueNext === true) {
        extend(previous, piece)
        previous.glueNext = opening.has(character) || character === ' '
      } else if (character === ' ') {
        start(piece, true)
      } else if (previous !== undefined && !previous.space &&
        (closing.has(character) || (wordCharacter.test(character) && wordCharacter.test(previousCharacter)))) {
        extend(previous, piece)
        previous.glueNext = opening.has(character)
      } else {
        start(piece)
        const started = last()
        if (started !== undefined) started.glueNext = opening.has(character)
      }
      previousCharacter = character
    }
  }
  return atoms
}

function mergePieces<S> (pieces: ReadonlyArray<Piece<S>>): Array<Piece<S>> {
  const merged: Array<Piece<S>> = []
  for (const piece of pieces) {
    const tail = merged[merged.length - 1]
    if (tail !== undefined && tail.style === piece.style) merged[merged.length - 1] = { text: tail.text + piece.text, style: piece.style }
    else merged.push(piece)
  }
  return merged
}
