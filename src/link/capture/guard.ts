/**
 * Tap listeners for the capture synthesisers: a failure while turning an
 * event into packets goes to the recorder's error list, never back into the
 * link that emitted the event.
 */
export function guardedBy(onError: (error: unknown) => void): <E>(handle: (event: E) => void) => (event: E) => void {
  return (handle) => (event) => {
    try {
      handle(event);
    } catch (error) {
      onError(error);
    }
  };
}
