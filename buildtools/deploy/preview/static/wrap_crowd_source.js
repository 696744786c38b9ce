// buildtools preview: the crowd provider side of the page, as a mock provider answers it.
// The worker and the assignment come from the page's address:
//   ?worker_id=alice&assignment_id=1   opens a unit for worker alice;
//   no worker_id or no assignment_id   opens the task's preview, as for a worker who has not
//                                      accepted it yet.
function previewParam(name) {
  return new URLSearchParams(window.location.search).get(name);
}

function getWorkerName() {
  return previewParam("worker_id");
}

function getAssignmentId() {
  return previewParam("assignment_id");
}

function getWorkerRegistrationInfo() {
  return { worker_name: getWorkerName(), provider_type: "mock" };
}

function getAgentRegistration(mephistoWorkerId) {
  var assignment = getAssignmentId();
  return {
    worker_id: mephistoWorkerId,
    worker_name: getWorkerName(),
    agent_registration_id: assignment + "-" + getWorkerName(),
    assignment_id: assignment,
    provider_type: "mock",
  };
}

function handleSubmitToProvider(taskData) {
  // The submission is in the preview's submissions file; no provider hears of it.
  document.documentElement.setAttribute("data-preview-submitted", "true");
  return true;
}
