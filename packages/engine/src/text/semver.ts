import { SemVer, satisfies } from 'semver';

// MAJOR.MINOR.PATCH[-pre][+build], a leading `v` allowed, nothing else (no `=`, no spaces).
const SEMVER_TAG =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemverTag(name: string): SemVer | null {
  if (!SEMVER_TAG.test(name)) return null;
  try {
    return new SemVer(name.startsWith('v') ? name.slice(1) : name);
  } catch {
    return null;
  }
}

/** node-semver range semantics: a prerelease satisfies a range only when a comparator names a prerelease of the same version. */
export function satisfiesRange(version: SemVer, range: string): boolean {
  return satisfies(version, range);
}
