/**
 * `${VAR}` and `${VAR:-default}` in string values are replaced from the environment, so one experiment
 * file serves several hosts and ports (the demo picks free ports this way). `$${` is a literal `${`.
 */
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface SubstitutionResult {
  value: string;
  /** names of variables that were referenced without a default and are not set */
  missing: string[];
}

export function substituteEnv(text: string, env: NodeJS.ProcessEnv): SubstitutionResult {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (whole, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return whole;
  });
  return { value, missing };
}
