import * as vscode from 'vscode';
import { FromEntry } from '../../core/dockerfile/froms';
import { parsePlatform } from '../../core/rebase/fetchImage';
import { PlatformLike } from '../../core/rebase/platformMatch';
import { sameBase } from '../../core/rebase/baseIdentity';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { compareCreated } from '../../core/tags/created';
import { oneLine } from '../../shared/sanitize';
import { BaseResolver } from './baseResolver';
import { problemCommand } from './problems';

/**
 * The lens of a pinned `FROM repo:tag@sha256:…`: the pin against what the tag names now. A pin of
 * one platform image of the tag's index, or of an index that lists the image the tag now names,
 * is the same base. Otherwise the build dates decide: moving the pin is offered only when the
 * tag now names a newer image; a tag moved back to an older one is said, and the pin is kept.
 */
export async function pinCommand(resolver: BaseResolver, entry: FromEntry, uri: vscode.Uri): Promise<vscode.Command> {
  const tagged = entry.taggedReference!;
  const pinned = entry.pinnedDigest!;
  const r = await resolver.resolve(tagged);
  if (!r.ok) return problemCommand(tagged, r.error.code, r.error.message);
  const now = { digest: r.value.digest, children: r.value.children?.map((c) => c.digest) };
  const tag = oneLine(parseReferenceWithDefaultTag(tagged).tag ?? 'latest', 80);
  if (r.value.digest === pinned) return { title: `$(check) pinned digest is current for ${tag}`, command: '' };
  if (sameBase({ digest: pinned }, now)) {
    const platform = r.value.children?.find((c) => c.digest === pinned)?.platform;
    return {
      title: `$(check) pinned digest is current for ${tag} (its ${oneLine(platform ?? '', 60)} image)`,
      tooltip: `${tagged} points to ${r.value.digest}, an index that lists ${pinned}`,
      command: '',
    };
  }
  if (!now.children && sameBase((await resolver.pinned(tagged, pinned)) ?? { digest: pinned }, now)) {
    return {
      title: `$(check) pinned digest is current for ${tag} (an index of its image)`,
      tooltip: `${tagged} points to ${r.value.digest}, which the pinned index ${pinned} lists`,
      command: '',
    };
  }

  // The same platform on both sides: the FROM's --platform when written out, else the pin's.
  const want = concretePlatform(entry.platform);
  const pin = await resolver.created(tagged, pinned, want);
  const current = await resolver.created(tagged, r.value.digest, want ?? pin.platform);
  const order = compareCreated(pin.created, current.created);
  const d = entry.digestRange!;
  const update = {
    command: 'imageRebase.updatePin',
    arguments: [uri.toString(), [d.start.line, d.start.character, d.end.line, d.end.character], pinned, r.value.digest],
  };
  const dates = `built ${oneLine(current.created ?? 'at an unknown date', 60)}; the pinned ${pinned} was built ${oneLine(pin.created ?? 'at an unknown date', 60)}`;
  if (order === undefined) {
    return {
      title: `$(arrow-swap) ${tag} now points to another image — update the pin?`,
      tooltip: `${tagged} now points to ${r.value.digest}. Which is newer cannot be told (${dates}).`,
      ...update,
    };
  }
  if (order > 0) {
    return {
      title: `$(arrow-up) Newer base available (built ${oneLine(current.created!.slice(0, 10), 10)})`,
      tooltip: `${tagged} now points to ${r.value.digest}, ${dates}. Update the pin.`,
      ...update,
    };
  }
  // Not newer: the tag was moved back (a rollback) or re-pushed. Moving the pin would downgrade.
  return {
    title: order < 0 ? `$(history) ${tag} now points to an older image; pin kept` : `$(arrow-swap) ${tag} now points to another image of the same date`,
    tooltip: `${tagged} now points to ${r.value.digest}, ${dates}. The pin is not offered to move.`,
    command: '',
  };
}

/** `--platform=linux/arm64` as written; `$BUILDPLATFORM` and friends are the builder's to fill. */
function concretePlatform(platform: string | undefined): PlatformLike | undefined {
  if (!platform || platform.includes('$')) return undefined;
  try {
    return parsePlatform(platform);
  } catch {
    return undefined;
  }
}
