package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibertyServerTest {
  @Test
  void deployOnlyMovesEveryOtherWarOutOfTheDropins(@TempDir Path wlp) throws Exception {
    Path dropins = Files.createDirectories(LibertyServer.serverDir(wlp, "s").resolve("dropins"));
    Files.writeString(dropins.resolve("benchmark-war.war"), "ours");
    Files.writeString(dropins.resolve("benchmark-dbos-java-war.war"), "theirs");

    LibertyServer.deployOnly(wlp, "s", List.of(ServerContender.OUR_WAR));

    assertThat(LibertyServer.deployedWars(wlp, "s")).containsExactly("benchmark-war.war");
    assertThat(LibertyServer.serverDir(wlp, "s").resolve("undeployed/benchmark-dbos-java-war.war"))
        .hasContent("theirs");
  }
}
