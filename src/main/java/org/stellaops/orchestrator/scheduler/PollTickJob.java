package org.stellaops.orchestrator.scheduler;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind the polling tick. It runs on a Quartz thread, so it only hands the
 * tick to Vert.x ({@code runOnContext}) and returns at once; it never touches an event loop or
 * waits for the polls.
 */
@DisallowConcurrentExecution
public final class PollTickJob implements Job {

  private final Runnable handOff;

  PollTickJob(Runnable handOff) {
    this.handOff = handOff;
  }

  @Override
  public void execute(JobExecutionContext context) {
    handOff.run();
  }
}
