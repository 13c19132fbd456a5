// Reading the makefiles Verilator writes (V<top>.mk, V<top>_classes.mk): their lists are one name per continued line.

/** Names listed in a makefile variable (`VAR = \` or `VAR += \` followed by one name per continued line). */
export function makeList(text: string, variable: string): string[] {
  const names: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!new RegExp(`^${variable}\\s*\\+?=`).test(lines[i])) continue;
    for (let j = i + 1; j < lines.length && /^\s+\S+\s*\\?$/.test(lines[j]); j++) names.push(lines[j].trim().replace(/\s*\\$/, ''));
  }
  return names;
}
