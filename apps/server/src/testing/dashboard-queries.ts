/**
 * Test support: the panels and queries of Winnow's Grafana dashboard (deploy/grafana/winnow.json),
 * with Grafana's variables substituted the way Grafana does, to run them on a real Prometheus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** deploy/grafana/winnow.json, from apps/server/{src,dist}/testing. */
export const DASHBOARD_FILE = join(__dirname, '../../../../deploy/grafana/winnow.json');

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly unit?: string;
  readonly decimals?: number;
  readonly gridPos: {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
  };
  readonly targets: readonly DashboardTarget[];
}

interface RawPanel {
  id: number;
  type: string;
  title: string;
  gridPos: DashboardPanel['gridPos'];
  targets?: DashboardTarget[];
  panels?: RawPanel[];
  fieldConfig?: { defaults?: { unit?: string; decimals?: number } };
}

export interface Dashboard {
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
  /** Rows, in order: title and y. */
  readonly rows: readonly { readonly title: string; readonly y: number }[];
  /** The `label_values(...)` query of each query variable, by name. */
  readonly variableQueries: Readonly<Record<string, string>>;
  readonly raw: Record<string, unknown>;
}

/** Reads the dashboard: every panel with queries (those in rows too), in the file's order. */
export function readDashboard(file = DASHBOARD_FILE): Dashboard {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    title: string;
    panels: RawPanel[];
    templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  };
  const panels: DashboardPanel[] = [];
  const rows: { title: string; y: number }[] = [];
  const visit = (list: readonly RawPanel[]): void => {
    for (const panel of list) {
      if (panel.type === 'row') rows.push({ title: panel.title, y: panel.gridPos.y });
      if (panel.targets !== undefined && panel.targets.length > 0) {
        const unit = panel.fieldConfig?.defaults?.unit;
        const decimals = panel.fieldConfig?.defaults?.decimals;
        panels.push({
          id: panel.id,
          type: panel.type,
          title: panel.title,
          gridPos: panel.gridPos,
          targets: panel.targets,
          ...(unit !== undefined && { unit }),
          ...(decimals !== undefined && { decimals }),
        });
      }
      if (panel.panels !== undefined) visit(panel.panels);
    }
  };
  visit(raw.panels);
  const variableQueries: Record<string, string> = {};
  for (const variable of raw.templating.list) {
    if (variable.type !== 'query' || variable.query === undefined) continue;
    variableQueries[variable.name] =
      typeof variable.query === 'string' ? variable.query : variable.query.query;
  }
  return { title: raw.title, panels, rows, variableQueries, raw };
}

/** `label_values(selector, label)` → the selector and the label (Grafana's variable query). */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const match = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query.trim());
  if (match === null) throw new Error(`not a label_values(selector, label) query: ${query}`);
  return { selector: (match[1] as string).trim(), label: match[2] as string };
}

/**
 * Substitutes Grafana's variables: `$name`, `${name}` and `[[name]]` from `values`. Fails on a
 * variable it does not know, so a new one in the dashboard cannot slip through untested.
 */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(
    /\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g,
    (whole, braced?: string, bare?: string, bracketed?: string) => {
      const name = braced ?? bare ?? bracketed ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
      return value;
    },
  );
}

/** The metric selectors of a PromQL expression: `name` or `name{...}`, Winnow's metrics only. */
export function metricSelectors(expr: string): string[] {
  const found = new Set<string>();
  for (const match of expr.matchAll(/\b(winnow_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    found.add(`${match[1] as string}${match[2] ?? ''}`);
  }
  return [...found];
}
