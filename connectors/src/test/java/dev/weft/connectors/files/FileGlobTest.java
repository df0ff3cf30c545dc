package dev.weft.connectors.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileGlobTest {
  @TempDir
  Path dir;

  private Path touch(String relative) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, relative + "\n");
  }

  private List<Path> expand(String relativePattern) {
    return FileGlob.expand(dir + "/" + relativePattern);
  }

  @Test
  void aWildcardInTheNameMatchesTheFilesOfOneFolderSortedByPath() throws IOException {
    Path b = touch("b.json");
    Path a = touch("a.json");
    Path c = touch("c.json");
    touch("notes.txt");
    touch("deeper/d.json");

    assertEquals(List.of(a, b, c), expand("*.json"));
  }

  @Test
  void wildcardsInFoldersMatchOnlyTheFoldersTheyName() throws IOException {
    Path first = touch("logs/2026-01/part-0.txt");
    Path second = touch("logs/2026-01/part-1.txt");
    Path third = touch("logs/2026-02/part-0.txt");
    touch("logs/2025-12/part-0.txt");
    touch("logs/2026-02/other.txt");
    touch("logs/2026-02/nested/part-9.txt");

    assertEquals(List.of(first, second, third), expand("logs/2026-*/part-*.txt"));
  }

  @Test
  void aDoubleStarMatchesAcrossFolders() throws IOException {
    Path top = touch("data/x/a.csv");
    Path deep = touch("data/y/z/b.csv");
    touch("data/top.csv"); // as java.nio's glob: **/ needs a folder between

    assertEquals(List.of(top, deep), expand("data/**/*.csv"));
  }

  @Test
  void hiddenNamesAreMatchedOnlyByAPatternThatNamesThemSo() throws IOException {
    Path visible = touch("out/part-0.txt");
    Path hidden = touch("out/.part-1.txt.5f3a.tmp");
    touch(".cache/part-2.txt");

    assertEquals(List.of(visible), expand("out/*"));
    assertEquals(List.of(hidden), expand("out/.*"));
    assertEquals(List.of(visible), expand("*/part-*.txt"));
  }

  @Test
  void aPlainPathIsTheFileItself() throws IOException {
    Path file = touch("one.txt");

    assertEquals(List.of(file), FileGlob.expand(file.toString()));
  }

  @Test
  void aRelativePatternIsResolvedAgainstTheWorkingDirectory() throws IOException {
    Path file = touch("rel/x.txt");
    Path relative = Path.of("").toAbsolutePath().relativize(dir);

    assertEquals(List.of(file), FileGlob.expand(relative + "/rel/*.txt"));
    assertEquals(List.of(file), FileGlob.expand(relative + "/rel/x.txt"));
  }

  @Test
  void aPatternThatMatchesNoFileIsRefusedNamingItAndTheFolderSearched() throws IOException {
    touch("logs/a.txt");

    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> expand("logs/*.json"));
    assertTrue(none.getMessage().contains("no file matches '" + dir + "/logs/*.json'"), none.getMessage());
    assertTrue(none.getMessage().contains("searched " + dir.resolve("logs")), none.getMessage());

    IllegalArgumentException noFolder = assertThrows(IllegalArgumentException.class, () -> expand("nope/*.txt"));
    assertTrue(noFolder.getMessage().contains(dir.resolve("nope") + ", does not exist"), noFolder.getMessage());

    IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class, () -> expand("logs/b.txt"));
    assertTrue(noFile.getMessage().contains(dir.resolve("logs/b.txt") + " does not exist"), noFile.getMessage());
  }

  @Test
  void aFolderGivenAsAPlainPathIsRefusedWithTheGlobToUse() throws IOException {
    touch("logs/a.txt");

    IllegalArgumentException folder = assertThrows(IllegalArgumentException.class, () -> expand("logs"));
    assertTrue(folder.getMessage().contains("'" + dir + "/logs/*'"), folder.getMessage());
  }
}
