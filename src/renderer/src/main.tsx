/**
 * Renderer entry: mounts the React root. Placeholder only — features, stores and the services
 * layer that talks to `window.unibus` arrive with later issues.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
