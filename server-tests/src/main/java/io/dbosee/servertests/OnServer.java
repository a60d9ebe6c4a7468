package io.dbosee.servertests;

import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every shared test has: the server, and Arquillian's handles to start it and deploy to it.
 * The tests run as a client (over HTTP and JDBC); each deploys by hand, as its test needs.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class OnServer {
  final TestServer server;

  @ArquillianResource ContainerController controller;
  @ArquillianResource Deployer deployer;

  OnServer(TestServer server) {
    this.server = server;
  }
}
