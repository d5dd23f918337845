// String order for sorting names, namespaces, IPs and timestamps: by UTF-16 code unit, as Go's sort.Strings
// (and so kubectl and the controllers) orders them. Not localeCompare: with full ICU its first call loads
// the collation tables, megabytes of resident memory the daemon would carry for its whole life.
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
