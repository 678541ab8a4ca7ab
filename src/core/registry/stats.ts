/** Counts what a client sends and receives, so the benchmark can show exactly what a rebase costs. */
export type RequestKind =
  | 'ping'
  | 'token'
  | 'manifest-get'
  | 'manifest-head'
  | 'manifest-put'
  | 'blob-head'
  | 'blob-get'
  | 'blob-mount'
  | 'blob-upload-start'
  | 'blob-upload-put'
  | 'tags'
  | 'catalog';

export class RequestStats {
  readonly byKind = new Map<RequestKind, number>();
  bytesSent = 0;
  bytesReceived = 0;
  /** Bytes of layer blobs that travelled through this process (zero when everything is mounted). */
  layerBytesMoved = 0;
  /** Requests sent again after a fault (each retry is also counted under its kind). */
  retries = 0;

  count(kind: RequestKind): void {
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  get total(): number {
    let n = 0;
    for (const v of this.byKind.values()) n += v;
    return n;
  }

  toJSON(): Record<string, unknown> {
    return {
      requests: Object.fromEntries([...this.byKind.entries()].sort()),
      totalRequests: this.total,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      layerBytesMoved: this.layerBytesMoved,
      retries: this.retries,
    };
  }
}
