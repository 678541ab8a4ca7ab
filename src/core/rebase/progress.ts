/** Progress events shared by the CLI (lines on stderr) and the extension (notification + log). */
export interface ProgressEvent {
  message: string;
  /** Work done and total for the current phase, when countable. */
  done?: number;
  total?: number;
}

export type ProgressListener = (event: ProgressEvent) => void;
