// What a one-shot run of the pipeline after a crawl did, for `crawl` and `documents process`: printed and as JSON.
import type { PipelineRun } from '../../app/leak-pipeline.ts';
import { safeText, say } from '../output.ts';

export function pipelineRunJson(run: PipelineRun) {
  return {
    postsMatched: run.postsMatched,
    postFailures: run.postFailures,
    downloads: run.documents.downloads,
    extractions: run.documents.extractions,
    errors: run.documents.errors,
    matches: run.changes.map((change) => ({
      kind: change.kind,
      orgId: change.match.orgId,
      postId: change.match.postId,
      documentId: change.match.documentId,
      severity: change.match.severity,
      identifierCounts: change.match.identifierCounts,
      categories: change.match.categories,
    })),
    alerts: run.alerts.map((alert) => ({
      id: alert.id,
      kind: alert.kind,
      severity: alert.severity,
      state: alert.state,
      org: alert.orgSlug,
      postId: alert.postId,
      channel: alert.channelName,
    })),
    delivery: run.delivery,
    postsWaiting: run.postsWaiting,
  };
}

export function printPipelineRun(run: PipelineRun): void {
  const files = run.documents.extractions.filter((outcome) => outcome.status !== 'retry');
  say(
    `matching: ${run.postsMatched} posts matched, ${run.documents.downloads.length} files downloaded, ${files.length} files read`,
  );
  const slugs = new Map(run.alerts.map((alert) => [alert.orgId, alert.orgSlug]));
  const org = (id: number) => (slugs.get(id) ? safeText(slugs.get(id) as string) : `organisation ${id}`);
  for (const change of run.changes) {
    const counts = Object.entries(change.match.identifierCounts)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ');
    const where = change.match.documentId === null ? 'post' : `file ${change.match.documentId} of post`;
    say(
      `  match ${change.kind}: ${org(change.match.orgId)}, ${where} ${change.match.postId}, ${change.match.severity}${counts ? ` (${counts})` : ''}`,
    );
  }
  if (run.changes.length === 0) say('  no organisation matched');
  const delivered = run.alerts.filter((alert) => alert.state === 'delivered').length;
  say(
    `alerts: ${run.alerts.length} written${run.alerts.length > 0 ? `, ${delivered} delivered` : ''}${run.alerts.length > 0 && delivered < run.alerts.length ? ' (the rest are retried by `leakwatch start`)' : ''}`,
  );
  for (const alert of run.alerts)
    say(
      `  alert ${alert.id}: ${alert.kind} ${alert.severity}${alert.orgSlug ? ` for ${safeText(alert.orgSlug)}` : ''} → ${safeText(alert.channelName)} (${alert.state})`,
    );
  for (const failure of run.postFailures)
    say(`  ! post ${failure.postId}: matching failed, queued for a retry — ${safeText(failure.error)}`);
  for (const error of run.documents.errors) say(`  ! ${safeText(error)}`);
  if (run.postsWaiting > 0)
    say(
      `${run.postsWaiting} posts wait for a matching retry (the next run or \`leakwatch start\` takes them)`,
    );
}
