package io.dbosee.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * The core engine must stay free of CDI, Interceptors, JTA, JPA, MicroProfile and OpenTelemetry, so
 * that it runs and is tested without a container. Checked on the compiled classes, so fully
 * qualified uses are caught as well as imports.
 */
class EngineBoundaryTest {
  private static final List<String> FORBIDDEN =
      List.of(
          "jakarta/enterprise/",
          "jakarta/interceptor/",
          "jakarta/transaction/",
          "jakarta/persistence/",
          "org/eclipse/microprofile/",
          "io/opentelemetry/");

  @Test
  void theCoreEngineReferencesNoContainerType() throws IOException {
    Path engine = classesRoot().resolve("io/dbosee/internal/engine");
    Set<String> violations = new TreeSet<>();
    try (Stream<Path> files = Files.walk(engine)) {
      files
          .filter(p -> p.toString().endsWith(".class"))
          .forEach(
              p ->
                  forbiddenReferences(p)
                      .forEach(r -> violations.add(p.getFileName() + " -> " + r)));
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theCheckFindsContainerTypesWhereTheyAre() {
    Path cdiLayer = classesRoot().resolve("io/dbosee/internal/cdi/DBOSRuntime.class");

    assertThat(forbiddenReferences(cdiLayer)).anyMatch(r -> r.startsWith("jakarta/enterprise/"));
  }

  private static Path classesRoot() {
    try {
      return Path.of(DBOSEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> forbiddenReferences(Path classFile) {
    Set<String> found = new TreeSet<>();
    Remapper collector =
        new Remapper(org.objectweb.asm.Opcodes.ASM9) {
          @Override
          public String map(String internalName) {
            if (FORBIDDEN.stream().anyMatch(internalName::startsWith)) {
              found.add(internalName);
            }
            return internalName;
          }
        };
    try (InputStream in = Files.newInputStream(classFile)) {
      new ClassReader(in).accept(new ClassRemapper(new ClassWriter(0), collector), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }
}
