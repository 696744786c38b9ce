import { createRoot } from 'react-dom/client'
import styles from './App.css?inline'
import App from './App.jsx'

// bundle.js is the whole task (Mephisto serves no other file of the build): its CSS comes in it
const style = document.createElement('style')
style.textContent = styles
document.head.appendChild(style)

// Without a crowd provider's wrap_crowd_source.js (a static host, `buildtools serve`), there is
// no worker: mephisto-task then shows the task's preview, as for a worker who has not accepted
// it yet.
const noProvider = { getWorkerName: () => null, getAssignmentId: () => null,
  getAgentRegistration: () => ({}), handleSubmitToProvider: () => true }
for (const [name, fallback] of Object.entries(noProvider)) {
  if (typeof window[name] !== 'function') window[name] = fallback
}

createRoot(document.getElementById('app')).render(<App />)
