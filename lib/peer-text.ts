/** How much of a peer's text {@link peerText} keeps by default, in characters. */
export const PEER_TEXT_MAX_CHARS = 256;

/**
 * Control characters (C0, DEL, C1) and the Unicode format characters that reorder or
 * hide text on a terminal (bidirectional overrides and isolates, zero-width marks).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
// eslint-disable-next-line no-control-regex -- tabs and line breaks, which become a space
const LINE_BREAK_OR_TAB = /[\t\n\r\u000b\u000c]/;

/**
 * Makes text that came from a peer (a status phrase, an error body, a log line) safe to
 * show: control characters (ESC, BEL, ...) and invisible format characters are removed,
 * tabs and line breaks become one space, and the result is cut to `maxChars`
 * characters, the cut marked as `…[+N chars]`. Linear in the text's length, and it reads
 * past `maxChars` only to count what it cut.
 *
 * @example
 * ```ts
 * peerText('Service Unavailable\u001b]0;owned\u0007'); // 'Service Unavailable]0;owned'
 * peerText('x'.repeat(300), 10); // 'xxxxxxxxxx…[+290 chars]'
 * ```
 */
export function peerText(text: string, maxChars = PEER_TEXT_MAX_CHARS): string {
  let kept = '';
  let shown = 0;
  let cut = 0;
  let spaceDue = false;
  const keep = (char: string): void => {
    if (shown < maxChars) {
      kept += char;
      shown++;
    } else cut++;
  };
  for (const char of text) {
    if (shown >= maxChars) cut++;
    else if (LINE_BREAK_OR_TAB.test(char)) spaceDue = shown > 0;
    else if (!UNSAFE.test(char)) {
      if (spaceDue) keep(' ');
      spaceDue = false;
      keep(isLoneSurrogate(char) ? '\ufffd' : char);
    }
  }
  return cut > 0 ? `${kept}…[+${cut} chars]` : kept;
}

/** Half of a character (iterating by code points yields one only when it is unpaired): it becomes U+FFFD, so the text encodes as it reads. */
function isLoneSurrogate(char: string): boolean {
  return char.length === 1 && (char.charCodeAt(0) & 0xf800) === 0xd800;
}
