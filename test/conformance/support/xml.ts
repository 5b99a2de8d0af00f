// A small XML 1.0 well-formedness checker for the JUnit report tests (no new
// dependency for one test): one root element, properly nested and closed tags,
// quoted attributes without '<', no duplicate attributes, only the five
// predefined entities and character references, no characters XML forbids.
// It returns the element tree so tests can check structure too.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const FORBIDDEN = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (FORBIDDEN.test(raw)) throw new XmlError(`${where}: a character XML 1.0 forbids`);
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new XmlError(`${where}: '&' not starting an entity or character reference`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (numeric === null) throw new XmlError(`${where}: unknown entity &${body};`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    const char = String.fromCodePoint(code);
    if (FORBIDDEN.test(char)) throw new XmlError(`${where}: character reference to a forbidden character`);
    return char;
  });
}

export function parseXml(source: string): XmlElement {
  let position = 0;
  const rest = () => source.slice(position);
  const skipSpace = () => {
    while (position < source.length && /\s/.test(source[position]!)) position += 1;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (rest().startsWith('<!--')) {
        const end = source.indexOf('-->', position + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        position = end + 3;
        continue;
      }
      if (rest().startsWith('<?')) {
        const end = source.indexOf('?>', position + 2);
        if (end < 0) throw new XmlError('unterminated processing instruction');
        position = end + 2;
        continue;
      }
      return;
    }
  };

  const element = (): XmlElement => {
    if (source[position] !== '<') throw new XmlError(`expected '<' at ${position}`);
    position += 1;
    const nameMatch = NAME.exec(rest());
    if (nameMatch === null) throw new XmlError(`expected an element name at ${position}`);
    const name = nameMatch[0];
    position += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = position;
      skipSpace();
      if (rest().startsWith('/>')) {
        position += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[position] === '>') {
        position += 1;
        break;
      }
      if (before === position) throw new XmlError(`expected whitespace before an attribute of <${name}> at ${position}`);
      const attributeMatch = NAME.exec(rest());
      if (attributeMatch === null) throw new XmlError(`expected an attribute name in <${name}> at ${position}`);
      const attribute = attributeMatch[0];
      position += attribute.length;
      skipSpace();
      if (source[position] !== '=') throw new XmlError(`expected '=' after ${attribute} in <${name}>`);
      position += 1;
      skipSpace();
      const quote = source[position];
      if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${attribute} of <${name}> is not quoted`);
      const end = source.indexOf(quote, position + 1);
      if (end < 0) throw new XmlError(`unterminated attribute ${attribute} of <${name}>`);
      const raw = source.slice(position + 1, end);
      if (raw.includes('<')) throw new XmlError(`'<' inside attribute ${attribute} of <${name}>`);
      if (attribute in attributes) throw new XmlError(`duplicate attribute ${attribute} in <${name}>`);
      attributes[attribute] = decode(raw, `attribute ${attribute} of <${name}>`);
      position = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (position >= source.length) throw new XmlError(`<${name}> is never closed`);
      if (rest().startsWith('</')) {
        position += 2;
        const closing = NAME.exec(rest());
        if (closing === null || closing[0] !== name) throw new XmlError(`</${closing?.[0] ?? '?'}> closes <${name}>`);
        position += name.length;
        skipSpace();
        if (source[position] !== '>') throw new XmlError(`malformed closing tag of <${name}>`);
        position += 1;
        return { name, attributes, children, text };
      }
      if (rest().startsWith('<!--')) {
        const end = source.indexOf('-->', position + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        position = end + 3;
        continue;
      }
      if (rest().startsWith('<![CDATA[')) {
        const end = source.indexOf(']]>', position);
        if (end < 0) throw new XmlError('unterminated CDATA');
        text += source.slice(position + 9, end);
        position = end + 3;
        continue;
      }
      if (source[position] === '<') {
        children.push(element());
        continue;
      }
      const next = source.indexOf('<', position);
      const raw = source.slice(position, next < 0 ? source.length : next);
      if (raw.includes(']]>')) throw new XmlError(`']]>' in the text of <${name}>`);
      text += decode(raw, `text of <${name}>`);
      position = next < 0 ? source.length : next;
    }
  };

  if (source.charCodeAt(0) === 0xfeff) position = 1;
  skipMisc();
  const root = element();
  skipMisc();
  if (position !== source.length) throw new XmlError(`content after the root element at ${position}`);
  return root;
}

/** Every element named `name` in the tree, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (element: XmlElement) => {
    if (element.name === name) found.push(element);
    for (const child of element.children) walk(child);
  };
  walk(root);
  return found;
}
