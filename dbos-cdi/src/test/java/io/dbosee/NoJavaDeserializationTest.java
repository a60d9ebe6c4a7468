package io.dbosee;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * Stored data is never read with Java object deserialization: no class of the library refers to a
 * type that turns bytes into arbitrary objects. Checked on the compiled classes, so a fully
 * qualified use is caught as well as an import. (That recorded values in a Java-serialized form are
 * refused at run time is shown by BadInputTest.javaSerializedCheckpointsAreRefusedNeverDeserialized
 * and PortableJsonSerializerTest.javaSerializedPayloadsAreRefused.)
 */
class NoJavaDeserializationTest {
  private static final List<String> FORBIDDEN =
      List.of("java/io/ObjectInputStream", "java/io/ObjectInput", "java/beans/XMLDecoder");

  @Test
  void noLibraryClassCanDeserializeJavaObjects() throws IOException {
    Path root = classesRoot(DBOS.class).resolve("io/dbosee");
    Set<String> violations = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(p -> p.toString().endsWith(".class"))
          .forEach(p -> forbidden(p).forEach(r -> violations.add(root.relativize(p) + " -> " + r)));
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theCheckFindsADeserializerWhereThereIsOne() {
    Path self =
        classesRoot(NoJavaDeserializationTest.class)
            .resolve("io/dbosee/NoJavaDeserializationTest$Deserializer.class");

    assertThat(forbidden(self)).contains("java/io/ObjectInputStream");
  }

  /** What the check must catch. */
  static final class Deserializer {
    static Object read(InputStream in) throws IOException, ClassNotFoundException {
      try (ObjectInputStream objects = new ObjectInputStream(in)) {
        return objects.readObject();
      }
    }
  }

  private static Path classesRoot(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> forbidden(Path classFile) {
    Set<String> found = new TreeSet<>();
    Remapper collector =
        new Remapper(Opcodes.ASM9) {
          @Override
          public String map(String internalName) {
            if (FORBIDDEN.contains(internalName)) {
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
