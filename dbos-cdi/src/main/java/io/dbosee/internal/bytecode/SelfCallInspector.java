package io.dbosee.internal.bytecode;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SourceInterpreter;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * Reads a workflow method's bytecode and reports every call path from it to a durable method of the
 * same bean whose receiver is {@code this}, because CDI never intercepts such a call and the
 * durable method would silently run as a plain call.
 *
 * <pre>{@code
 * SelfCallInspector inspector = new SelfCallInspector(
 *     m -> m.isAnnotationPresent(Step.class) ? "@Step" : null);
 * Inspection found = inspector.inspect(Orders.class, Orders.class.getMethod("checkout", String.class));
 * found.selfCalls().forEach(call -> log(call.describe()));
 * }</pre>
 *
 * <p>What counts as a call through {@code this}: an {@code invokevirtual}, {@code invokeinterface}
 * or {@code invokespecial} (so {@code super.step()} too) whose receiver is, on every path through
 * the method, the method's own {@code this} (tracked through locals, {@code dup}s and casts by a
 * data-flow analysis, so arguments pushed after the receiver do not matter). A call on any other
 * reference of the bean's type (an injected {@code self} field, a parameter) is not one, nor is a
 * static method. The callee is resolved like the JVM dispatches it at run time: virtual calls from
 * the bean class upwards (so a step inherited from a superclass, or overridden in the bean, is
 * found), {@code invokespecial} from the named owner upwards; overloads are told apart by name and
 * descriptor, and the predicate sees the resolved {@link Method}.
 *
 * <p>Non-durable methods of the bean's class hierarchy reached through {@code this} are followed
 * recursively (any visibility; also static methods that receive {@code this} as an argument), each
 * method at most once per inspection, and the finding carries the whole path.
 *
 * <p>Lambdas: a lambda or method reference (a {@code LambdaMetafactory} {@code invokedynamic})
 * whose implementation is a method of the bean's hierarchy bound to {@code this} is followed as if
 * called, and its findings have {@link SelfCall#inLambda()} set, because whether and where it runs
 * is not visible here (it may run later, on another thread, or never); the caller should treat them
 * as warnings. One exception: a lambda or method reference passed as an argument to any method
 * named {@code runStep} (directly or through a local variable) is not followed at all, since its
 * body runs inside an inline step where a step call is a plain call by design.
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>Never throws for bytecode it cannot read or analyze: such a class or method yields no
 *       findings and a line in {@link Inspection#diagnostics()}, which the caller should log.
 *   <li>Does not follow {@code this} into JDK classes (bootstrap or platform class loader), into
 *       methods called on another object or static methods of other classes that receive {@code
 *       this} as an argument, or through {@code this} stored in a field or collection; a receiver
 *       that is {@code this} on only some paths is not reported. A lambda passed to {@code runStep}
 *       and also used elsewhere is treated as the inline step's body.
 *   <li>Not thread-safe: it caches parsed classes; use one instance per deployment.
 * </ul>
 */
public final class SelfCallInspector {

  private static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";
  private static final String INLINE_STEP_METHOD = "runStep";

  private final Function<? super Method, String> durableLabel;
  // Parsed classes and read failures; a class is read at most once per inspector.
  private final Map<Class<?>, ClassNode> classNodes = new HashMap<>();
  private final Map<Class<?>, String> unreadable = new HashMap<>();
  private final Map<Class<?>, Map<String, Method>> declaredMethods = new HashMap<>();

  /**
   * Creates an inspector that asks {@code durableLabel} which methods are durable.
   *
   * @param durableLabel returns how to name a durable method in messages (such as {@code "@Step"},
   *     {@code "@Workflow"} or {@code "@Transaction"}) or {@code null} for a method that is not
   *     durable
   */
  public SelfCallInspector(Function<? super Method, String> durableLabel) {
    this.durableLabel = Objects.requireNonNull(durableLabel, "durableLabel");
  }

  /**
   * Reports the call paths from {@code workflowMethod} to durable methods of {@code beanClass}
   * called through {@code this}.
   *
   * @param beanClass the bean class (not a CDI proxy or subclass generated from it)
   * @param workflowMethod a method declared by {@code beanClass} or one of its supertypes
   * @throws IllegalArgumentException if {@code workflowMethod} is not a method of {@code beanClass}
   */
  public Inspection inspect(Class<?> beanClass, Method workflowMethod) {
    Objects.requireNonNull(beanClass, "beanClass");
    Objects.requireNonNull(workflowMethod, "workflowMethod");
    if (!workflowMethod.getDeclaringClass().isAssignableFrom(beanClass)) {
      throw new IllegalArgumentException(workflowMethod + " is not a method of " + beanClass);
    }
    Walk walk = new Walk(beanClass, workflowMethod);
    Set<Integer> thisLocals =
        Modifier.isStatic(workflowMethod.getModifiers()) ? Set.of() : Set.of(0);
    walk.visit(workflowMethod, thisLocals, List.of(key(workflowMethod)), false);
    return new Inspection(walk.found, new ArrayList<>(walk.diagnostics));
  }

  /** The state of one inspection: what was found and which methods were already analyzed. */
  private final class Walk {
    private final Class<?> beanClass;
    private final Method caller;
    private final Map<String, Class<?>> hierarchy;
    private final List<SelfCall> found = new ArrayList<>();
    private final Set<String> diagnostics = new LinkedHashSet<>();
    private final Set<String> visited = new HashSet<>();

    Walk(Class<?> beanClass, Method caller) {
      this.beanClass = beanClass;
      this.caller = caller;
      this.hierarchy = hierarchy(beanClass);
    }

    /**
     * Analyzes {@code method} with {@code thisLocals} holding {@code this}; recursion ends because
     * each (method, locals, lambda) triple is analyzed once.
     */
    void visit(Method method, Set<Integer> thisLocals, List<String> path, boolean inLambda) {
      if (!visited.add(key(method) + " " + new TreeSet<>(thisLocals) + " " + inLambda)) {
        return;
      }
      ClassNode classNode = classNode(method.getDeclaringClass());
      if (classNode == null) {
        diagnostics.add(unreadable.get(method.getDeclaringClass()));
        return;
      }
      MethodNode methodNode = methodNode(classNode, method);
      if (methodNode == null) {
        diagnostics.add(
            "the bytecode of "
                + classNode.name
                + " has no method "
                + key(method)
                + "; not checked");
        return;
      }
      if (methodNode.instructions.size() == 0) {
        return; // abstract or native: nothing runs here
      }
      ThisInterpreter interpreter = new ThisInterpreter(thisLocals);
      Frame<SourceValue>[] frames;
      try {
        frames = new Analyzer<>(interpreter).analyze(classNode.name, methodNode);
      } catch (AnalyzerException | RuntimeException e) {
        diagnostics.add(
            "could not analyze "
                + classNode.name
                + "."
                + key(method)
                + " ("
                + e
                + "); not checked");
        return;
      }
      Set<AbstractInsnNode> inlineStepBodies = inlineStepBodies(methodNode, frames);
      for (int i = 0; i < frames.length; i++) {
        AbstractInsnNode insn = methodNode.instructions.get(i);
        Frame<SourceValue> frame = frames[i];
        if (frame == null) {
          continue; // unreachable code
        }
        if (insn instanceof MethodInsnNode) {
          call((MethodInsnNode) insn, frame, interpreter, classNode, path, inLambda);
        } else if (insn instanceof InvokeDynamicInsnNode && !inlineStepBodies.contains(insn)) {
          lambda((InvokeDynamicInsnNode) insn, frame, interpreter, classNode, path);
        }
      }
    }

    private void call(
        MethodInsnNode insn,
        Frame<SourceValue> frame,
        ThisInterpreter interpreter,
        ClassNode classNode,
        List<String> path,
        boolean inLambda) {
      if (insn.name.equals("<init>")) {
        return;
      }
      boolean isStatic = insn.getOpcode() == Opcodes.INVOKESTATIC;
      Type[] argumentTypes = Type.getArgumentTypes(insn.desc);
      List<SourceValue> values = top(frame, argumentTypes.length + (isStatic ? 0 : 1));
      Set<Integer> calleeThisLocals = thisLocals(!isStatic, argumentTypes, values, interpreter);
      if (isStatic) {
        // A static method never runs intercepted; only follow it when it is handed `this`.
        Method target = calleeThisLocals.isEmpty() ? null : resolve(Kind.STATIC, insn);
        if (target != null && followable(target)) {
          visit(target, calleeThisLocals, append(path, target), inLambda);
        }
        return;
      }
      if (!interpreter.isThis(values.get(0))) {
        return;
      }
      Method target =
          resolve(insn.getOpcode() == Opcodes.INVOKESPECIAL ? Kind.SPECIAL : Kind.VIRTUAL, insn);
      if (target != null) {
        reach(target, calleeThisLocals, insn, classNode, path, inLambda);
      }
    }

    private void lambda(
        InvokeDynamicInsnNode insn,
        Frame<SourceValue> frame,
        ThisInterpreter interpreter,
        ClassNode classNode,
        List<String> path) {
      if (!insn.bsm.getOwner().equals(LAMBDA_METAFACTORY)
          || insn.bsmArgs.length < 2
          || !(insn.bsmArgs[1] instanceof Handle)) {
        return;
      }
      Handle impl = (Handle) insn.bsmArgs[1];
      Kind kind;
      switch (impl.getTag()) {
        case Opcodes.H_INVOKESTATIC:
          kind = Kind.STATIC;
          break;
        case Opcodes.H_INVOKESPECIAL:
          kind = Kind.SPECIAL;
          break;
        case Opcodes.H_INVOKEVIRTUAL:
        case Opcodes.H_INVOKEINTERFACE:
          kind = Kind.VIRTUAL;
          break;
        default:
          return; // constructor references and field handles call no method of the bean
      }
      // The captured values become the implementation method's leading parameters (the receiver
      // first, for an instance method).
      List<SourceValue> captured = top(frame, Type.getArgumentTypes(insn.desc).length);
      Set<Integer> implThisLocals =
          thisLocals(
              kind != Kind.STATIC, Type.getArgumentTypes(impl.getDesc()), captured, interpreter);
      boolean boundToThis =
          kind == Kind.STATIC ? !implThisLocals.isEmpty() : implThisLocals.contains(0);
      if (!boundToThis) {
        return; // an unbound reference, or one bound to another object: not a call through `this`
      }
      Method target = resolve(kind, impl.getOwner(), impl.getName(), impl.getDesc());
      if (target != null) {
        reach(target, implThisLocals, insn, classNode, path, true);
      }
    }

    /** Reports {@code target} if it is durable, follows it otherwise. */
    private void reach(
        Method target,
        Set<Integer> targetThisLocals,
        AbstractInsnNode insn,
        ClassNode classNode,
        List<String> path,
        boolean inLambda) {
      String label = Modifier.isStatic(target.getModifiers()) ? null : durableLabel.apply(target);
      if (label != null) {
        found.add(
            new SelfCall(
                beanClass,
                caller,
                target,
                label,
                append(path, target),
                classNode.sourceFile,
                lineNumber(insn),
                inLambda));
      } else if (followable(target)) {
        visit(target, targetThisLocals, append(path, target), inLambda);
      }
    }

    private Method resolve(Kind kind, MethodInsnNode insn) {
      return resolve(kind, insn.owner, insn.name, insn.desc);
    }

    /** The method the JVM would run for this call on the bean, or null outside its hierarchy. */
    private Method resolve(Kind kind, String owner, String name, String desc) {
      Class<?> ownerClass = hierarchy.get(owner);
      if (ownerClass == null) {
        return null;
      }
      String methodKey = name + desc;
      switch (kind) {
        case STATIC:
          for (Class<?> c = ownerClass; c != null; c = c.getSuperclass()) {
            Method m = declared(c).get(methodKey);
            if (m != null && Modifier.isStatic(m.getModifiers())) {
              return m;
            }
          }
          return null;
        case SPECIAL:
          // super.m(), or a private method: the owner's own method first, never an override.
          return dispatch(ownerClass, methodKey, true);
        case VIRTUAL:
        default:
          // Private methods are called with invokevirtual between nestmates, and never dispatch.
          Method own = declared(ownerClass).get(methodKey);
          if (own != null && Modifier.isPrivate(own.getModifiers())) {
            return own;
          }
          return dispatch(beanClass, methodKey, false);
      }
    }

    /**
     * Method selection from {@code start} upwards; private methods never override, so only {@code
     * start}'s own private method can be selected, and only for {@code invokespecial}.
     */
    private Method dispatch(Class<?> start, String methodKey, boolean ownPrivate) {
      for (Class<?> c = start; c != null; c = c.getSuperclass()) {
        Method m = declared(c).get(methodKey);
        if (m != null
            && !Modifier.isStatic(m.getModifiers())
            && (!Modifier.isPrivate(m.getModifiers()) || (ownPrivate && c == start))) {
          return m;
        }
      }
      Method abstractOne = null;
      for (Class<?> i : interfaces(start)) {
        Method m = declared(i).get(methodKey);
        if (m != null && !Modifier.isStatic(m.getModifiers())) {
          if (!Modifier.isAbstract(m.getModifiers())) {
            return m; // a default method
          }
          abstractOne = abstractOne == null ? m : abstractOne;
        }
      }
      return abstractOne;
    }

    private Map<String, Method> declared(Class<?> c) {
      return declaredMethods.computeIfAbsent(
          c,
          k -> {
            Map<String, Method> byKey = new LinkedHashMap<>();
            try {
              for (Method m : k.getDeclaredMethods()) {
                byKey.putIfAbsent(key(m), m);
              }
            } catch (LinkageError e) {
              diagnostics.add("could not list the methods of " + k.getName() + " (" + e + ")");
            }
            return byKey;
          });
    }

    private Set<AbstractInsnNode> inlineStepBodies(
        MethodNode methodNode, Frame<SourceValue>[] frames) {
      Set<AbstractInsnNode> bodies = new HashSet<>();
      for (int i = 0; i < frames.length; i++) {
        AbstractInsnNode insn = methodNode.instructions.get(i);
        if (frames[i] == null
            || !(insn instanceof MethodInsnNode)
            || !((MethodInsnNode) insn).name.equals(INLINE_STEP_METHOD)) {
          continue;
        }
        MethodInsnNode call = (MethodInsnNode) insn;
        int count = Type.getArgumentTypes(call.desc).length;
        // The interpreter keeps an invokedynamic as the source of its value through locals, so a
        // lambda stored in a variable before being passed is recognised too.
        for (SourceValue argument : top(frames[i], count)) {
          for (AbstractInsnNode source : argument.insns) {
            if (source instanceof InvokeDynamicInsnNode) {
              bodies.add(source);
            }
          }
        }
      }
      return bodies;
    }
  }

  private enum Kind {
    STATIC,
    SPECIAL,
    VIRTUAL
  }

  /**
   * Source tracking where loads, stores, {@code dup}s and casts pass a value through unchanged, so
   * a value's sources are where it was made (a parameter, a call, an {@code invokedynamic}), and
   * the parameters listed in {@code thisLocals} are marked as {@code this}.
   */
  private static final class ThisInterpreter extends SourceInterpreter {
    private final AbstractInsnNode thisMarker = new InsnNode(Opcodes.NOP);
    private final Set<Integer> thisLocals;

    ThisInterpreter(Set<Integer> thisLocals) {
      super(Opcodes.ASM9);
      this.thisLocals = thisLocals;
    }

    @Override
    public SourceValue newParameterValue(boolean isInstanceMethod, int local, Type type) {
      return thisLocals.contains(local)
          ? new SourceValue(1, thisMarker)
          : super.newParameterValue(isInstanceMethod, local, type);
    }

    @Override
    public SourceValue copyOperation(AbstractInsnNode insn, SourceValue value) {
      return value;
    }

    @Override
    public SourceValue unaryOperation(AbstractInsnNode insn, SourceValue value) {
      return insn.getOpcode() == Opcodes.CHECKCAST ? value : super.unaryOperation(insn, value);
    }

    /** Whether {@code value} is {@code this} on every path that reaches it. */
    boolean isThis(SourceValue value) {
      return value.insns.size() == 1 && value.insns.contains(thisMarker);
    }
  }

  /** The local-variable slots of a callee that receive {@code this} from {@code values}. */
  private static Set<Integer> thisLocals(
      boolean hasReceiver, Type[] parameterTypes, List<SourceValue> values, ThisInterpreter in) {
    Set<Integer> locals = new HashSet<>();
    int slot = 0;
    for (int i = 0; i < values.size(); i++) {
      if (in.isThis(values.get(i))) {
        locals.add(slot);
      }
      int parameter = hasReceiver ? i - 1 : i;
      slot += parameter < 0 ? 1 : parameterTypes[parameter].getSize();
    }
    return locals;
  }

  /** The {@code count} values on top of the stack, deepest first. */
  private static List<SourceValue> top(Frame<SourceValue> frame, int count) {
    List<SourceValue> values = new ArrayList<>(count);
    int first = frame.getStackSize() - count;
    for (int i = first; i < frame.getStackSize(); i++) {
      values.add(frame.getStack(i));
    }
    return values;
  }

  private ClassNode classNode(Class<?> c) {
    ClassNode cached = classNodes.get(c);
    if (cached != null || unreadable.containsKey(c)) {
      return cached;
    }
    String resource = Type.getInternalName(c) + ".class";
    ClassLoader loader = c.getClassLoader();
    try (InputStream in =
        loader == null
            ? ClassLoader.getSystemResourceAsStream(resource)
            : loader.getResourceAsStream(resource)) {
      if (in == null) {
        unreadable.put(
            c,
            "the bytecode of "
                + c.getName()
                + " cannot be read through its class loader ("
                + resource
                + " not found); its calls through 'this' were not checked");
        return null;
      }
      ClassNode node = new ClassNode();
      new ClassReader(in.readAllBytes()).accept(node, ClassReader.SKIP_FRAMES);
      classNodes.put(c, node);
      return node;
    } catch (IOException | RuntimeException e) {
      unreadable.put(
          c,
          "the bytecode of "
              + c.getName()
              + " cannot be read ("
              + e
              + "); its calls through 'this' were not checked");
      return null;
    }
  }

  private static MethodNode methodNode(ClassNode classNode, Method method) {
    String desc = Type.getMethodDescriptor(method);
    for (MethodNode m : classNode.methods) {
      if (m.name.equals(method.getName()) && m.desc.equals(desc)) {
        return m;
      }
    }
    return null;
  }

  /** Classes of the JDK are not followed: they cannot call the bean's durable methods by name. */
  private static boolean followable(Method method) {
    ClassLoader loader = method.getDeclaringClass().getClassLoader();
    return loader != null
        && loader != ClassLoader.getPlatformClassLoader()
        && !Modifier.isAbstract(method.getModifiers())
        && !Modifier.isNative(method.getModifiers());
  }

  /** The bean class, its superclasses and every interface they implement, by internal name. */
  private static Map<String, Class<?>> hierarchy(Class<?> beanClass) {
    Map<String, Class<?>> byName = new HashMap<>();
    for (Class<?> c = beanClass; c != null; c = c.getSuperclass()) {
      byName.put(Type.getInternalName(c), c);
    }
    for (Class<?> i : interfaces(beanClass)) {
      byName.put(Type.getInternalName(i), i);
    }
    return byName;
  }

  /** Every interface {@code start} implements, nearest first. */
  private static List<Class<?>> interfaces(Class<?> start) {
    List<Class<?>> result = new ArrayList<>();
    Deque<Class<?>> queue = new ArrayDeque<>();
    for (Class<?> c = start; c != null; c = c.getSuperclass()) {
      queue.addAll(List.of(c.getInterfaces()));
    }
    while (!queue.isEmpty()) {
      Class<?> i = queue.removeFirst();
      if (!result.contains(i)) {
        result.add(i);
        queue.addAll(List.of(i.getInterfaces()));
      }
    }
    return result;
  }

  private static int lineNumber(AbstractInsnNode insn) {
    for (AbstractInsnNode p = insn; p != null; p = p.getPrevious()) {
      if (p instanceof LineNumberNode) {
        return ((LineNumberNode) p).line;
      }
    }
    return -1;
  }

  private static List<String> append(List<String> path, Method method) {
    List<String> longer = new ArrayList<>(path);
    longer.add(key(method));
    return longer;
  }

  private static String key(Method method) {
    return method.getName() + Type.getMethodDescriptor(method);
  }
}
