// livescore's service worker: the pages' files and the latest snapshots, kept so that a page
// opened without a network shows the last known scores (the page marks them stale: it cannot
// reach the feed) instead of the browser's error page. Everything is asked of the network first,
// so online nothing is ever served old; the cache only answers when the network cannot. The live
// streams (`/events`, `/ws/…`, long-polls) and everything an admin does pass by untouched.

const CACHE = 'livescore-v1';
// The dashboard and what it loads, so a first visit is enough to open it offline next time.
const SHELL = [
  '/', '/manifest.json', '/favicon.svg', '/css/app.css', '/css/dashboard.css',
  '/js/dashboard.js', '/js/activity.js', '/js/day-archive.js', '/js/day-list.js', '/js/days.js',
  '/js/feed.js', '/js/feed-scope.js', '/js/feed-share.js', '/js/feed-transports.js',
  '/js/follow.js', '/js/format.js', '/js/get-json.js', '/js/render.js', '/js/stale.js',
  '/js/store.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

/** Whether a request is one the cache may answer when the network cannot. */
function keptOffline(request, url) {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  if (request.mode === 'navigate') return !url.pathname.startsWith('/admin');
  return url.pathname.startsWith('/css/') || url.pathname.startsWith('/js/')
    || ['/favicon.svg', '/manifest.json', '/api/snapshot', '/api/teams'].includes(url.pathname);
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!keptOffline(event.request, url)) return;
  event.respondWith(networkFirst(event.request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    // Offline: the last answer to this very request (a snapshot's query names its filter).
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}
