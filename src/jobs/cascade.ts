// The shape of every recursive delete job (organization → spaces → apps → packages): children go a
// round at a time, then the resource itself in one batch that only removes it once it has no children
// left. Every step is idempotent, so a run that is lost half way is simply run again and carries on.

export interface Cascade {
  /** The next children still to delete (a bounded round), empty when there are none. */
  children(): Promise<string[]>;
  deleteChildren(guids: string[]): Promise<void>;
  /** Deletes the resource if it has no children left; resolves to whether it still exists. */
  deleteResource(): Promise<boolean>;
}

export async function runCascade(cascade: Cascade): Promise<void> {
  for (;;) {
    const children = await cascade.children();
    await cascade.deleteChildren(children);
    if (!(await cascade.deleteResource())) return;
    // Still there with no children found this round: something other than children holds it.
    if (children.length === 0) throw new Error("the resource could not be deleted");
  }
}
