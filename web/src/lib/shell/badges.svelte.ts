/**
 * What a page tells the shell about its badges: the notifications page, once it has shown the
 * notices, clears the bell (the layout's count came from before the page marked them read).
 */
export const bell = $state({ cleared: 0 })

export function clearBell(): void {
  bell.cleared++
}
