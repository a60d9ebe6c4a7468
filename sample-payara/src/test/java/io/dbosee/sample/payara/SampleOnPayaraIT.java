package io.dbosee.sample.payara;

import io.dbosee.servertests.SampleOnServer;

/**
 * The sample on Payara Server configured by server-config's asadmin scripts; the tests are {@link
 * SampleOnServer}'s. EclipseLink is the JPA provider; the engine reaches the driver's PGConnection
 * through the driver installed as a common library of the server.
 */
class SampleOnPayaraIT extends SampleOnServer {
  SampleOnPayaraIT() {
    super(new PayaraServer());
  }
}
