// Escaping text for XML (JUnit) and HTML reports. Explanations quote engine
// errors and adapter output verbatim, so anything may appear in them: markup
// characters, quotes, and control characters that XML 1.0 forbids outright
// (a CI parser rejects the whole file for one stray \u0000).

/** Characters XML 1.0 does not allow anywhere, even escaped. */
const INVALID_XML_CHARACTERS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content or an attribute value, escaped for XML and HTML alike; forbidden characters become U+FFFD. */
export function escapeMarkup(text: string): string {
  return text
    .replace(INVALID_XML_CHARACTERS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An attribute value on one line: newlines and tabs as character references, so parsers keep them instead of normalizing them to spaces. */
export function escapeAttribute(text: string): string {
  return escapeMarkup(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
