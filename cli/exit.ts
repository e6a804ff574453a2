/**
 * process.exit() drops whatever a pipe has not yet taken from stdout and stderr, so a large
 * `lkstack preview | less` would end early. An empty write's callback runs once every earlier
 * write has been handed to the OS; exit after both.
 */
export async function exitWhenFlushed(code: number, streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): Promise<never> {
  await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.write("", () => resolve()))));
  process.exit(code);
}
