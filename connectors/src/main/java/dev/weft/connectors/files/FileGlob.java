package dev.weft.connectors.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The files a path or glob names, as Dask lists them: {@code data/*.json}, {@code logs/2026-*}{@code /part-*.txt}, or
 * a plain path; relative to the working directory or absolute. The syntax is {@link java.nio.file.FileSystem
 * #getPathMatcher}'s {@code glob:} ({@code * ? [abc] {a,b}} within a name, {@code **} across folders).
 *
 * <p>The search walks from the longest folder of the pattern without wildcards, and only into folders whose names match
 * the pattern's folder parts. A name that begins with a dot (a hidden file, or a write in progress) is matched only by
 * a pattern part that begins with a dot too, as in a shell. Symbolic links are followed; a link that loops is skipped.
 */
final class FileGlob {
  private static final String WILDCARDS = "*?[{";
  private static final String ANY_DEPTH = "**";

  private final String pattern;
  private final Path base; // the folder searched, absolute
  private final String[] parts; // the pattern's names below `base`
  private final PathMatcher[] partMatchers;
  private final PathMatcher matcher; // the pattern below `base`, against paths relative to it

  private FileGlob(String pattern, Path base, String rest) {
    this.pattern = pattern;
    this.base = base;
    this.parts = rest.split("/", -1);
    this.partMatchers = new PathMatcher[parts.length];
    for (int i = 0; i < parts.length; i++) {
      partMatchers[i] = FileSystems.getDefault().getPathMatcher("glob:" + parts[i]);
    }
    this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
  }

  /**
   * The regular files {@code pattern} matches, absolute and sorted by path.
   *
   * @throws IllegalArgumentException if it matches no file, naming the pattern and the folder searched
   * @throws UncheckedIOException if a folder cannot be listed, naming it
   */
  static List<Path> expand(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a path or glob must not be empty");
    }
    int wildcard = firstWildcard(pattern);
    if (wildcard < 0) {
      return List.of(plainFile(pattern));
    }
    int slash = pattern.lastIndexOf('/', wildcard);
    Path base = Path.of(slash < 0 ? "" : pattern.substring(0, slash + 1)).toAbsolutePath().normalize();
    return new FileGlob(pattern, base, pattern.substring(slash + 1)).search();
  }

  private static int firstWildcard(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      if (WILDCARDS.indexOf(pattern.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static Path plainFile(String pattern) {
    Path file = Path.of(pattern).toAbsolutePath().normalize();
    if (Files.isRegularFile(file)) {
      return file;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("'" + pattern + "' is a folder (" + file + "); to read its files, give a glob"
          + " such as '" + pattern + (pattern.endsWith("/") ? "" : "/") + "*'");
    }
    throw new IllegalArgumentException("no file matches '" + pattern + "': " + file + " does not exist");
  }

  private List<Path> search() {
    if (!Files.isDirectory(base)) {
      throw new IllegalArgumentException("no file matches '" + pattern + "': the folder searched, " + base
          + ", does not exist");
    }
    int depth = anyDepthFrom() < parts.length ? Integer.MAX_VALUE : parts.length;
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(base, EnumSet.of(FileVisitOption.FOLLOW_LINKS), depth, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
          return folder.equals(base) || mayHold(base.relativize(folder)) ? FileVisitResult.CONTINUE
              : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          Path relative = base.relativize(file);
          if (attributes.isRegularFile() && matcher.matches(relative) && noHiddenNameUnasked(relative, true)) {
            found.add(file);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof FileSystemLoopException) {
            return FileVisitResult.CONTINUE; // a link back to a folder above: its files are found there
          }
          throw e;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the files that match '" + pattern + "' in " + base + ": " + e, e);
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException("no file matches '" + pattern + "' (searched " + base + ")");
    }
    found.sort(null);
    return found;
  }

  /** The index of the first {@code **} part, or the number of parts. */
  private int anyDepthFrom() {
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].contains(ANY_DEPTH)) {
        return i;
      }
    }
    return parts.length;
  }

  /** Whether a folder {@code relative} to the base may hold a match: each of its names matches its pattern part. */
  private boolean mayHold(Path relative) {
    int names = relative.getNameCount();
    int anyDepth = anyDepthFrom();
    for (int i = 0; i < names && i < anyDepth; i++) {
      if (i >= parts.length - 1 || !partMatchers[i].matches(relative.getName(i))) {
        return false; // deeper than the pattern's folders, or a folder the pattern does not name
      }
    }
    return noHiddenNameUnasked(relative, false);
  }

  /**
   * Whether every name of {@code relative} that begins with a dot is matched by a pattern part that begins with one:
   * the part at its place, or for a file the last part; a folder under a {@code **} is matched by no part.
   */
  private boolean noHiddenNameUnasked(Path relative, boolean file) {
    int anyDepth = anyDepthFrom();
    int names = relative.getNameCount();
    for (int i = 0; i < names; i++) {
      String part = i < anyDepth ? parts[i] : file && i == names - 1 ? parts[parts.length - 1] : "";
      if (relative.getName(i).toString().startsWith(".") && !part.startsWith(".")) {
        return false;
      }
    }
    return true;
  }
}
