import { visible } from '../text.js';

/**
 * XML/HTML text content: control and bidi characters spelled out (XML 1.0 cannot carry most of them even
 * as references, and a viewer would act on the rest), `&`, `<`, `>` as entities, CR as a reference so
 * parsers do not fold it into LF.
 */
export function escapeXmlText(text: string): string {
  return visible(text)
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
