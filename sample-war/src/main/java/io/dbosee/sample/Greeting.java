package io.dbosee.sample;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/**
 * A greeting the greeting-guestbook workflow recorded (table {@code greetings}), with the id of the
 * workflow that recorded it: one row per workflow, however often the server was killed.
 */
@Entity
@Table(name = "greetings")
public class Greeting {
  @Id
  @Column(length = 64)
  private String id;

  @Column(nullable = false)
  private String name;

  @Column(name = "workflow_id", nullable = false)
  private String workflowId;

  protected Greeting() {}

  public Greeting(String name, String workflowId) {
    this.id = UUID.randomUUID().toString();
    this.name = name;
    this.workflowId = workflowId;
  }

  public String getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getWorkflowId() {
    return workflowId;
  }
}
