import { useEffect, useState } from 'react'
import './App.css'

// task_config.json is written next to index.html by the build tool. Its task settings may sit
// at the top level or under a "task" key.
function readTask(config) {
  if (config && typeof config.task === 'object' && config.task !== null) {
    return { ...config, ...config.task }
  }
  return config ?? {}
}

export default function App() {
  const [state, setState] = useState({ status: 'loading' })
  const [imageLoaded, setImageLoaded] = useState(undefined)
  const [submitted, setSubmitted] = useState(false)

  useEffect(() => {
    let cancelled = false
    fetch('./task_config.json', { cache: 'no-store' })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`)
        return response.json()
      })
      .then((config) => {
        if (!cancelled) setState({ status: 'ready', task: readTask(config) })
      })
      .catch((error) => {
        if (!cancelled) setState({ status: 'error', message: String(error?.message ?? error) })
      })
    return () => {
      cancelled = true
    }
  }, [])

  if (state.status === 'loading') {
    return <main className="task"><p id="task-loading">Loading task…</p></main>
  }
  if (state.status === 'error') {
    return (
      <main className="task">
        <p id="task-error" className="error" role="alert">
          Could not load the task configuration (task_config.json): {state.message}
        </p>
      </main>
    )
  }

  const { task } = state
  return (
    <main className="task">
      <h1 id="task-title">{task.task_title}</h1>
      <p id="task-description">{task.task_description}</p>
      <img
        id="task-image"
        src="./TestImg.png"
        alt="Task image"
        data-loaded={imageLoaded}
        onLoad={() => setImageLoaded('true')}
        onError={() => setImageLoaded('false')}
      />
      {submitted ? (
        <p id="thank-you" className="thanks">Thank you! Your response was recorded.</p>
      ) : (
        <button id="submit-button" type="button" onClick={() => setSubmitted(true)}>
          Submit
        </button>
      )}
    </main>
  )
}
