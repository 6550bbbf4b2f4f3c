import type { RunNotification } from './payload';

/** Deleted tags named in a Slack message at most (the generic payload lists more). */
const SLACK_LISTED_TAGS = 10;
/** Slack's limits: a section's text, a header's text. */
const SECTION_TEXT_MAX = 3000;
const HEADER_TEXT_MAX = 150;

/** A Slack incoming-webhook message: `text` is the notification's fallback, `blocks` the layout. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly object[];
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** Slack's mrkdwn gives `&`, `<` and `>` a meaning: escaped as its documentation says. */
const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ICONS: Readonly<Record<string, string>> = {
  succeeded: ':white_check_mark:',
  partial: ':warning:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

function scopeText(scope: RunNotification['event_data']['run']['scope']): string {
  if (scope.level === 'server') return 'server';
  if (scope.level === 'namespace') return `namespace ${scope.namespace ?? ''}`;
  return `repository ${scope.namespace ?? ''}/${scope.repository ?? ''}`;
}

/** A run's event as a Slack message: the same facts as the generic payload, summarised. */
export function slackRunMessage(event: RunNotification): SlackMessage {
  const { run, retention } = event.event_data;
  const dry = run.dry_run ? ' (dry run)' : '';
  const title = `Winnow run ${run.id} ${run.status}${dry}`;
  const removed = run.dry_run
    ? `${retention.would_delete} would expire`
    : `${retention.deleted} expired`;
  const failed = `${retention.failed} ${retention.failed === 1 ? 'repository' : 'repositories'} failed`;
  const summary = `${title}: ${scopeText(run.scope)}, ${retention.total} tags evaluated, ${retention.retained} kept, ${removed}, ${failed}`;
  const field = (name: string, value: string | number) => ({
    type: 'mrkdwn',
    text: `*${name}*\n${escape(String(value))}`,
  });
  const blocks: object[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(title, HEADER_TEXT_MAX), emoji: true },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${ICONS[run.status] ?? ''} ${escape(clip(summary, SECTION_TEXT_MAX - 20))}`.trim(),
      },
      fields: [
        field('Scope', scopeText(run.scope)),
        field('Trigger', `${run.trigger} by ${event.operator}`),
        field('Evaluated', retention.total),
        field('Kept', retention.retained),
        field(
          run.dry_run ? 'Would expire' : 'Expired',
          run.dry_run ? retention.would_delete : retention.deleted,
        ),
        field('Failed repositories', `${retention.failed} of ${retention.repositories}`),
        field('Duration', `${run.duration_seconds.toFixed(1)} s`),
        field(
          'Policies',
          retention.policies.length === 0
            ? 'none'
            : retention.policies.map((p) => p.scope).join(', '),
        ),
      ],
    },
  ];
  const tags = retention.deleted_artifacts;
  if (tags.length > 0) {
    const shown = tags
      .slice(0, SLACK_LISTED_TAGS)
      .map((t) => `• \`${escape(`${t.repository}:${t.tag ?? t.digest}`)}\``);
    const more = tags.length - shown.length;
    const rest =
      more > 0 || retention.deleted_artifacts_truncated
        ? [`…and ${retention.deleted_artifacts_truncated ? 'more than ' : ''}${more} more`]
        : [];
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          [`*${run.dry_run ? 'Would expire' : 'Expired'}*`, ...shown, ...rest].join('\n'),
          SECTION_TEXT_MAX,
        ),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Evaluated at ${run.evaluated_at} · run ${run.id}` }],
  });
  return { text: summary, blocks };
}

/** A test delivery as a Slack message. */
export function slackTestMessage(endpoint: string): SlackMessage {
  const text = `Winnow test notification for endpoint ${endpoint}: this webhook receives Winnow's run reports.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escape(text) } }] };
}
