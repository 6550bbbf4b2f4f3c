import { inventoryEventOf, type NotificationEvent } from '../src';

const MANIFEST = `sha256:${'a'.repeat(64)}`;
const BLOB = `sha256:${'b'.repeat(64)}`;
const base = 'http://registry:5000/v2/acme/web';

/** Targets as distribution 2.8 sends them (captured from a real registry). */
const event = (
  action: NotificationEvent['action'],
  target: Partial<NotificationEvent['target']>,
  method?: string,
): NotificationEvent => ({
  id: 'e1',
  timestamp: '2026-12-03T19:11:36.121823462Z',
  action,
  target: { repository: 'acme/web', ...target },
  ...(method !== undefined && { request: { method } }),
});
const manifest = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 393,
  length: 393,
  digest: MANIFEST,
  url: `${base}/manifests/${MANIFEST}`,
};
const blob = {
  mediaType: 'application/octet-stream',
  size: 5,
  length: 5,
  digest: BLOB,
  url: `${base}/blobs/${BLOB}`,
};

describe('the inventory meaning of a notification event', () => {
  it.each([
    [
      'a tagged manifest push',
      event('push', { ...manifest, tag: 'v1' }, 'PUT'),
      {
        kind: 'push',
        repository: 'acme/web',
        digest: MANIFEST,
        tag: 'v1',
        mediaType: manifest.mediaType,
        sizeBytes: 393,
      },
    ],
    [
      'a push by digest (an index child)',
      event('push', manifest, 'PUT'),
      {
        kind: 'push',
        repository: 'acme/web',
        digest: MANIFEST,
        mediaType: manifest.mediaType,
        sizeBytes: 393,
      },
    ],
    [
      'a HEAD by tag',
      event('pull', { ...manifest, tag: 'v1' }, 'HEAD'),
      { kind: 'pull', repository: 'acme/web', digest: MANIFEST, tag: 'v1' },
    ],
    [
      'a GET by digest',
      event('pull', manifest, 'GET'),
      { kind: 'pull', repository: 'acme/web', digest: MANIFEST },
    ],
    [
      'a delete by digest',
      event('delete', { digest: MANIFEST }, 'DELETE'),
      { kind: 'delete', repository: 'acme/web', digest: MANIFEST },
    ],
    [
      'the tag delete that follows it',
      event('delete', { tag: 'v1' }, 'DELETE'),
      { kind: 'delete', repository: 'acme/web', tag: 'v1' },
    ],
    ['a blob push', event('push', blob, 'PUT'), null],
    ['a blob GET', event('pull', blob, 'GET'), null],
    ['a blob HEAD', event('pull', blob, 'HEAD'), null],
    ['a mount', event('mount', blob, 'POST'), null],
    ['a repository delete', event('delete', {}, 'DELETE'), null],
    ['a manifest pull by another method', event('pull', manifest, 'OPTIONS'), null],
  ])('%s', (_what, input, expected) => {
    expect(inventoryEventOf(input)).toEqual(expected);
  });
});
