/**
 * Escaping shared by the text formats. Cluster text (log lines above all) may hold control
 * characters that XML 1.0 cannot carry even as references and that terminals would interpret:
 * they are spelled out (`\x1B`), and lone surrogates become U+FFFD.
 */
const UNPRINTABLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Control characters other than tab, LF and CR as `\x1B`; unpaired surrogates and U+FFFE/U+FFFF as U+FFFD. */
export function spellControlChars(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : '\uFFFD';
  });
}

/** XML/HTML text content: `&`, `<`, `>` as entities; CR as a reference so parsers do not fold it into LF. */
export function escapeXmlText(text: string): string {
  return spellControlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** A double-quoted XML/HTML attribute value: also quotes, and whitespace as references so it survives normalization. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
