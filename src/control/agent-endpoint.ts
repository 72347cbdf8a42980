/**
 * How the JobManager reaches an agent once a workflow has changed what the agent should
 * run. The in-process agent is called directly; a remote agent would be reached over its
 * connection. Either way the catalog holds the truth (the tasks assigned to the agent and
 * their positions), so a call that is lost to a crash is made good when the agent starts.
 */
export interface AgentEndpoint {
  /** Run this job's tasks that are assigned to the agent, from their recorded positions. */
  deploy(jobId: string): Promise<void>;
  /** Stop running this job's tasks, their positions recorded (pause, cancel). */
  stop(jobId: string): Promise<void>;
}
