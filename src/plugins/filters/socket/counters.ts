/** What a SocketDataFilter counts; every dropped message is counted under its reason. */
export interface SocketCounters {
  messages_in: number;
  bytes_in: number;
  messages_out: number;
  bytes_out: number;
  connections_opened: number;
  connections_refused: number;
  /** Received messages that were not valid in the encoding; forwarded as raw bytes. */
  undecodable: number;
  /** Received text that was not JSON; forwarded as a string. */
  not_json: number;
  dropped_oversize: number;
  dropped_empty: number;
  dropped_unencodable: number;
  dropped_contains_delimiter: number;
  dropped_queue_full: number;
  dropped_send_buffer_full: number;
  /** A server with no clients has no one to send to (Python parity), but it is still counted. */
  dropped_no_connection: number;
}

export function newCounters(): SocketCounters {
  return {
    messages_in: 0,
    bytes_in: 0,
    messages_out: 0,
    bytes_out: 0,
    connections_opened: 0,
    connections_refused: 0,
    undecodable: 0,
    not_json: 0,
    dropped_oversize: 0,
    dropped_empty: 0,
    dropped_unencodable: 0,
    dropped_contains_delimiter: 0,
    dropped_queue_full: 0,
    dropped_send_buffer_full: 0,
    dropped_no_connection: 0,
  };
}
