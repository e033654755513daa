/**
 * What the documentation tests read in a Markdown file: its fenced code blocks, its `## `
 * sections, its links, and the anchors its headings make, the way GitHub renders them.
 */

/** A fenced code block: its info string (`sh`, `ts`, …), its body, and the whole block as written. */
export interface CodeBlock {
  readonly info: string;
  readonly body: string;
  readonly raw: string;
}

/** The fenced code blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({ info: m[1]!.trim(), body: m[2]!, raw: m[0] }));
}

/** The text of each `## ` section of `markdown` (code included), by heading, in order. */
export function sections(markdown: string): Map<string, string> {
  const parts = markdown.split(/^## (.*)$/m);
  return new Map(Array.from({ length: (parts.length - 1) / 2 }, (_, i) => [parts[1 + 2 * i]!.trim(), parts[2 + 2 * i]!]));
}

/** `markdown` without its fenced blocks and inline code spans, where a `[x](y)` or a `# ` is no link and no heading. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** Every inline link target of `markdown` (`[text](target)`, images included), outside code. */
export function linkTargets(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/**
 * The anchors the headings of `markdown` get on GitHub: lower case, every character but letters,
 * digits, spaces, `-` and `_` dropped, spaces made `-`; a repeated anchor gets `-1`, `-2`, ….
 */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const headings = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm);
  for (const [, text] of headings) {
    const base = text!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
