package io.dbosee.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerContenderTest {
  @Test
  void measuresTheContendersWhoseWarIsDeployed() {
    assertThat(ServerContender.deployed(List.of("benchmark-war.war")))
        .extracting(ServerContender::name)
        .containsExactly(ServerContender.OURS, ServerContender.FLOOR);
    assertThat(
            ServerContender.deployed(
                List.of("benchmark-dbos-java-war.war", "benchmark-war.war", "other.war")))
        .extracting(ServerContender::name)
        .containsExactly(ServerContender.OURS, ServerContender.FLOOR, ServerContender.DBOS_JAVA);
  }

  @Test
  void eachRequestNamesItsWorkflow() {
    ServerContender floor = ServerContender.deployed(List.of("benchmark-war.war")).get(1);

    assertThat(floor.uri("http://localhost:9080", ServerContender.WORKFLOW_10, "r 1").toString())
        .isEqualTo("http://localhost:9080/dbosee/bench/floor/workflow?steps=10&id=r+1");
    assertThat(
            floor.uri("http://localhost:9080", ServerContender.ENDPOINTS.get(4), "r2").toString())
        .isEqualTo("http://localhost:9080/dbosee/bench/floor/enqueue?id=r2");
  }

  @Test
  void optionsSwitchFsyncAndRefuseWhatTheyDoNotKnow() {
    ServerBenchmark.Options options =
        ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--smoke --fsync=on"});

    assertThat(options.fsync()).isTrue();
    assertThat(options.smoke()).isTrue();
    assertThat(options.inFlight()).containsExactly(1, 4);
    assertThat(options.wlp()).isEqualTo(Path.of("/w"));
    assertThat(ServerBenchmark.Options.parse(new String[] {"--wlp=/w"}).inFlight())
        .containsExactly(1, 16, 64);
    assertThat(
            ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--in-flight=1,64"}).inFlight())
        .containsExactly(1, 64);
    assertThatThrownBy(
            () -> ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--in-flight=0"}))
        .hasMessageContaining("--in-flight=0: expected positive numbers of requests in flight");
    assertThatThrownBy(() -> ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--fsync"}))
        .hasMessageContaining("unknown argument --fsync; expected --smoke, --fsync=on|off");
    assertThatThrownBy(() -> ServerBenchmark.Options.parse(new String[0]))
        .hasMessageContaining("--wlp=DIR (the Liberty installation) is required");
  }

  @Test
  void optionsNameTheContendersToMeasure() {
    assertThat(
            ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--contenders=dbos-ee,FLOOR"})
                .only())
        .extracting(ServerContender::name)
        .containsExactly(ServerContender.OURS, ServerContender.FLOOR);
    assertThat(
            ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--contenders=dbos-java"})
                .only())
        .extracting(ServerContender::name)
        .containsExactly(ServerContender.DBOS_JAVA);
    assertThat(ServerBenchmark.Options.parse(new String[] {"--wlp=/w"}).only()).isEmpty();
    assertThatThrownBy(
            () -> ServerBenchmark.Options.parse(new String[] {"--wlp=/w", "--contenders=temporal"}))
        .hasMessage("no contender called 'temporal'; the contenders are dbos-ee, floor, dbos-java");
  }
}
