/**
 * Globs for identity values (URIs, e-mail addresses, refs), translated to RE2 so they run in linear time.
 *   `*`  any run of characters except `/`        `**` any run of characters, `/` included
 *   `?`  one character except `/`                `\x` the character x literally
 * A glob always covers the whole value. The literal segments are returned for the index's prefilter.
 */
export interface CompiledGlob {
  /** RE2 source of the glob, to be matched against the whole value. */
  readonly source: string;
  /** The literal text before the first wildcard. */
  readonly prefix: string;
  /** Every literal segment (non-empty), in order. */
  readonly atoms: readonly string[];
  /** Number of literal characters: a lint measure of how specific the glob is. */
  readonly literalLength: number;
}

export function compileGlob(glob: string): CompiledGlob {
  const cps = Array.from(glob);
  let source = '';
  const atoms: string[] = [];
  let run = '';
  let prefix: string | undefined;
  let literalLength = 0;
  const endRun = (): void => {
    if (prefix === undefined) prefix = run;
    if (run.length > 0) atoms.push(run);
    run = '';
  };
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '*') {
      endRun();
      if (cps[i + 1] === '*') {
        while (cps[i + 1] === '*') i++;
        source += '(?s:.*)';
      } else source += '[^/]*';
    } else if (c === '?') {
      endRun();
      source += '[^/]';
    } else {
      const lit = c === '\\' && i + 1 < cps.length ? cps[++i]! : c;
      run += lit;
      literalLength += 1;
      source += quoteRe2(lit);
    }
  }
  endRun();
  return { source, prefix: prefix ?? '', atoms, literalLength };
}

/** Escape one character for RE2: punctuation gets a backslash (always allowed in RE2), the rest is literal. */
export function quoteRe2(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$-]/g, (m) => `\\${m}`);
}
