import { useState } from 'react'
import { useMephistoTask, getBlockedExplanation } from 'mephisto-task'

// The unit's data is {"text": "..."}: one sentence to rate (sample_data.json has some).
const RATINGS = [
  { value: 1, label: 'Not natural' },
  { value: 2, label: 'Awkward' },
  { value: 3, label: 'Fine' },
  { value: 4, label: 'Natural' },
  { value: 5, label: 'Perfect' },
]

function Header({ config }) {
  return (
    <header>
      <h1 id="task-title">{config.task_title}</h1>
      <p id="task-description">{config.task_description}</p>
      <TaskImage />
    </header>
  )
}

function TaskImage() {
  const [loaded, setLoaded] = useState(undefined)
  // An extra_source_dir file, at its natural size: Mephisto copies it beside bundle.js
  return (
    <img id="task-image" src="TestImg.png" alt="" data-loaded={loaded}
         onLoad={() => setLoaded('true')} onError={() => setLoaded('false')} />
  )
}

function RatingForm({ sentence, onSubmit }) {
  const [rating, setRating] = useState(null)
  const [comment, setComment] = useState('')
  const [sent, setSent] = useState(false)
  if (sent) {
    return <p id="thank-you" className="thanks">Thank you! Your answer was sent.</p>
  }
  const submit = (event) => {
    event.preventDefault()
    setSent(true)
    onSubmit({ rating, comment: comment.trim() })
  }
  return (
    <form onSubmit={submit}>
      <blockquote id="sentence">{sentence}</blockquote>
      <fieldset id="ratings">
        <legend>How natural does it sound?</legend>
        {RATINGS.map(({ value, label }) => (
          <label key={value}>
            <input type="radio" name="rating" value={value} checked={rating === value}
                   onChange={() => setRating(value)} />
            {value} · {label}
          </label>
        ))}
      </fieldset>
      <label htmlFor="comment">Comment (optional)</label>
      <textarea id="comment" rows="3" value={comment}
                onChange={(event) => setComment(event.target.value)} />
      <button id="submit-button" type="submit" disabled={rating === null}>Submit</button>
    </form>
  )
}

export default function App() {
  const { blockedReason, taskConfig, isPreview, agentId, initialTaskData, handleSubmit } =
    useMephistoTask()
  if (blockedReason !== null) {
    return <main className="task"><h1 className="error">{getBlockedExplanation(blockedReason)}</h1></main>
  }
  if (taskConfig === null) {
    return <main className="task"><p id="task-loading">Loading the task…</p></main>
  }
  if (isPreview) {
    return (
      <main className="task">
        <Header config={taskConfig} />
        <p id="task-preview">Accept the task to see a sentence and rate it.</p>
      </main>
    )
  }
  if (agentId === null || initialTaskData === null) {
    return <main className="task"><Header config={taskConfig} /><p>Getting a sentence…</p></main>
  }
  return (
    <main className="task">
      <Header config={taskConfig} />
      <RatingForm sentence={initialTaskData.text} onSubmit={handleSubmit} />
    </main>
  )
}
