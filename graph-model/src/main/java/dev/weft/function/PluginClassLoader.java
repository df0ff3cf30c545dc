package dev.weft.function;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin jar: child-first, as Flink's, so that a plugin's own version of a library (Jackson,
 * Guava, a client) is the one its code sees, not the one Weft happens to carry. Classes of the packages in
 * {@link #PARENT_FIRST} always come from Weft's loader, since objects of them cross between Weft and the plugin: its
 * API, Avro (values are Avro records), SLF4J (one logging backend) and the JDK.
 */
final class PluginClassLoader extends URLClassLoader {
  /** Package prefixes loaded from Weft's class loader, never from a plugin jar. */
  static final List<String> PARENT_FIRST = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.",
      "org.xml.", "dev.weft.", "org.apache.avro.", "org.slf4j.");

  static {
    registerAsParallelCapable();
  }

  PluginClassLoader(String name, URL jar, ClassLoader parent) {
    super(name, new URL[] {jar}, parent);
  }

  private static boolean parentFirst(String className) {
    for (String prefix : PARENT_FIRST) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (parentFirst(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        try {
          loaded = findClass(name);
        } catch (ClassNotFoundException notInThePlugin) {
          loaded = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  public URL getResource(String name) {
    URL own = parentFirst(name.replace('/', '.')) ? null : findResource(name);
    return own != null ? own : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }
}
