// A static SPA: no server rendering, no prerendering (the data lives behind RLS).
export const ssr = false
export const prerender = false
