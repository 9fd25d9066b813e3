// Reading the JSON API from the fan pages: fresh each time, the server's error message kept.

/** GET `url` as JSON; an Error with `status` and the server's message when it is not 2xx. */
export async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((body && body.error && body.error.message) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}
