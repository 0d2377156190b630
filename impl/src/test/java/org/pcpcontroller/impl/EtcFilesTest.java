/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.pcpcontroller.impl.engine.PcpEngine;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

/**
 * The configuration files shipped in the distribution's {@code etc/} ({@code src/main/etc} of this module) are what an
 * operator edits instead of reading Java: one per configuration PID, holding every attribute of the component's
 * configuration at its Java default (what the component runs with when the line is removed) under a one-line comment
 * that is the attribute's description. The components are found in the compiled classes, not listed here (the DS and
 * metatype annotations are kept in the class files only, so ASM reads them): a new component, a new or renamed
 * attribute, a changed default or description without its file fails the build, and so does a file the bundle does not
 * attach or the feature does not install.
 */
class EtcFilesTest {
    private static final Path CLASSES = classes();
    private static final Path MODULE = CLASSES.resolve("../..").normalize();
    private static final Path ETC = MODULE.resolve("src/main/etc");
    private static final String CFG = ".cfg";
    // java.util.Properties' "key = value", as the files write it; Properties itself reads every file too
    private static final Pattern PROPERTY = Pattern.compile("([^\\s=:#!]+)\\s*=\\s*(.*)");

    /**
     * A DS component with a configuration PID of its own, and the metatype configuration it designates, if any.
     */
    record Configured(String component, List<String> pids, boolean explicitPid, @Nullable String ocd,
            boolean factory) {
        String pid() {
            return pids.get(0);
        }

        @Override
        public String toString() {
            return pids.size() == 1 ? pid() : pids.toString();
        }
    }

    /**
     * An attribute of a configuration: its property name, its Java default, and its metatype description.
     */
    record Attribute(String name, Class<?> type, Object javaDefault, @Nullable String description,
            boolean metatypeDefault) {
        String commentLine() {
            return "# " + description;
        }

        String propertyLine() {
            final var value = render(javaDefault);
            return value.isEmpty() ? name + " =" : name + " = " + value;
        }
    }

    static List<Configured> designated() throws IOException {
        return components().stream().filter(component -> component.ocd() != null).toList();
    }

    @Test
    void theClassesHoldTheComponents() throws IOException {
        // a wrong class directory would find nothing, and every check below would pass on nothing
        final var engine = PcpEngine.class.getName();
        assertTrue(designated().stream().anyMatch(component -> component.component().equals(engine)),
            "no @Designate'd " + engine + " among " + components() + " in " + CLASSES);
    }

    @Test
    void everyComponentGivenAConfigurationPidDesignatesItsConfiguration() throws IOException {
        // its settings would be read but not described anywhere, and this test could not check its file
        assertEquals(List.of(), components().stream()
            .filter(component -> component.explicitPid() && component.ocd() == null).toList());
    }

    @Test
    void everyDesignatedPidHasAFileAndEveryFileAPid() throws IOException {
        final var pids = designated().stream().map(Configured::pid).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(pids, files(), "configuration PIDs (left) and the files in " + ETC + " (right)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("designated")
    void theFileHoldsEveryAttributeAtItsJavaDefaultUnderItsDescription(final Configured component)
            throws Exception {
        // one PID, one configuration; a factory's files are named PID-NAME.cfg and hold no defaults
        assertEquals(1, component.pids().size(), "several configuration PIDs: say here which file is whose");
        assertFalse(component.factory(), "a factory configuration: extend this test for its files");
        final var attributes = attributes(Type.getObjectType(component.ocd().replace('.', '/')));
        final var expected = new ArrayList<String>();
        for (var attribute : attributes) {
            assertNotNull(attribute.description(), attribute.name() + " of " + component
                + " has no description: it is the comment of its line in the file");
            assertFalse(attribute.description().contains("\n"), attribute.name() + ": a one-line description");
            assertFalse(attribute.metatypeDefault(), attribute.name() + " of " + component + " has a metatype "
                + "defaultValue: DS runs with the Java default when the property is absent; keep one default");
            expected.add(attribute.commentLine());
            expected.add(attribute.propertyLine());
        }

        final var file = ETC.resolve(component.pid() + CFG);
        assertTrue(Files.isRegularFile(file),
            () -> file + " is missing; it would hold\n" + String.join("\n", expected));
        final var text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.chars().allMatch(c -> c < 0x80), file + ": ASCII only (fileinstall's encoding is a setting)");
        // every property line with the line above it, in the order of the file
        final var lines = text.lines().toList();
        final var actual = new ArrayList<String>();
        final var values = new LinkedHashMap<String, String>();
        for (int i = 0; i < lines.size(); i++) {
            final var line = lines.get(i);
            if (line.isBlank() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            final var property = PROPERTY.matcher(line);
            assertTrue(property.matches(), file + ":" + (i + 1) + " is neither a comment nor 'name = value': " + line);
            assertNull(values.put(property.group(1), property.group(2)), file + ": " + property.group(1) + " twice");
            actual.add(i > 0 ? lines.get(i - 1) : "(no comment above)");
            actual.add(line);
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual),
            file + ": every property at its Java default under its description, in the order of the interface");

        // what fileinstall hands to Config Admin (a .cfg with plain values reads as java.util.Properties reads it),
        // converted as DS converts a string property to the attribute's type, is the Java default
        final var loaded = new Properties();
        loaded.load(new StringReader(text));
        assertEquals(values, loaded.entrySet().stream()
            .collect(Collectors.toMap(e -> (String) e.getKey(), e -> (String) e.getValue())), file
                + ": read as java.util.Properties reads it (escapes, continuations)");
        for (var attribute : attributes) {
            assertEquals(attribute.javaDefault(), convert(loaded.getProperty(attribute.name()), attribute.type()),
                file + ": " + attribute.name());
        }
    }

    @Test
    void everyFileIsAttachedToTheBundleAndInstalledByTheFeature() throws Exception {
        final Set<String> expectedAttached = new TreeSet<>();
        final Set<String> expectedDependencies = new TreeSet<>();
        final Set<String> expectedInstalled = new TreeSet<>();
        for (var pid : files()) {
            expectedAttached.add("${project.basedir}/src/main/etc/" + pid + CFG + " cfg " + pid);
            expectedDependencies.add("cfg pcp-impl " + pid);
            expectedInstalled.add("etc/" + pid + CFG + " mvn:org.pcpcontroller/pcp-impl/${project.version}/cfg/" + pid);
        }
        final var bundle = MODULE.resolve("pom.xml");
        assertEquals(expectedAttached, elements(bundle, "artifact",
            artifact -> child(artifact, "file") + " " + child(artifact, "type") + " " + child(artifact, "classifier")),
            "build-helper's attached artifacts in " + bundle);
        final var feature = MODULE.resolve("../features/odl-pcp-controller").normalize();
        // a dependency, so that the file is resolved and goes into the distribution's system repository
        assertEquals(expectedDependencies, elements(feature.resolve("pom.xml"), "dependency",
            dependency -> child(dependency, "type") + " " + child(dependency, "artifactId") + " "
                + child(dependency, "classifier")).stream().filter(dependency -> dependency.startsWith("cfg "))
                .collect(Collectors.toCollection(TreeSet::new)),
            "the cfg dependencies in " + feature.resolve("pom.xml"));
        assertEquals(expectedInstalled, elements(feature.resolve("src/main/feature/feature.xml"), "configfile",
            configfile -> configfile.getAttribute("finalname") + " " + configfile.getTextContent().strip()),
            "the <configfile>s in " + feature.resolve("src/main/feature/feature.xml"));
    }

    /**
     * The property name DS and metatype give an attribute: the method name with '$' and '_' mapped (OSGi Declarative
     * Services, "Component Property Types").
     */
    static String propertyName(final String prefix, final String method) {
        final var name = new StringBuilder(prefix);
        for (int i = 0; i < method.length(); i++) {
            final char c = method.charAt(i);
            if (c == '$') {
                if (method.startsWith("$_$", i)) {
                    name.append('-');
                    i += 2;
                } else if (method.startsWith("$$", i)) {
                    name.append('$');
                    i++;
                }
                // a single '$' is removed
            } else if (c == '_') {
                if (method.startsWith("__", i)) {
                    name.append('_');
                    i++;
                } else {
                    name.append('.');
                }
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    @Test
    void propertyNamesFollowTheOsgiRules() {
        assertEquals("deadPeerTimeout", propertyName("", "deadPeerTimeout"));
        assertEquals("tls.certificate", propertyName("", "tls_certificate"));
        assertEquals("max_handshakes", propertyName("", "max__handshakes"));
        assertEquals("dead-peer", propertyName("", "dead$_$peer"));
        assertEquals("a$b", propertyName("", "a$$b"));
        assertEquals("ab", propertyName("", "a$b"));
        assertEquals("store.expiry", propertyName("store.", "expiry"));
    }

    /**
     * A default as it is written in a file: what DS converts back to the same value.
     */
    static String render(final Object value) {
        return switch (value) {
            case Double d -> BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
            case Float f -> new BigDecimal(f.toString()).stripTrailingZeros().toPlainString();
            case String s -> s;
            case Boolean b -> b.toString();
            case Integer i -> i.toString();
            case Long l -> l.toString();
            // fileinstall reads a .cfg typed (key = ["a","b"], n = I"5", s = "text") only when every value in it is
            // typed, else every value as a plain string; DS does not split a string into an array
            default -> throw new AssertionError(value.getClass() + " attribute: write how a .cfg holds it, and that "
                + "all values of its file are then typed");
        };
    }

    /**
     * A string property converted to an attribute's type as DS does ("Coercing Component Property Types").
     */
    static Object convert(final String value, final Class<?> type) {
        if (type == String.class) {
            return value;
        } else if (type == boolean.class) {
            assertTrue(value.equals("true") || value.equals("false"), "a boolean is true or false: " + value);
            return Boolean.valueOf(value);
        } else if (type == int.class) {
            return Integer.valueOf(value);
        } else if (type == long.class) {
            return Long.valueOf(value);
        } else if (type == double.class) {
            return Double.valueOf(value);
        } else if (type == float.class) {
            return Float.valueOf(value);
        }
        return fail(type + " attribute: write how DS converts a .cfg string to it");
    }

    private static List<Configured> components() throws IOException {
        final var found = new ArrayList<Configured>();
        try (var walk = Files.walk(CLASSES)) {
            for (var file : walk.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
                final var reader = new ComponentReader();
                new ClassReader(Files.readAllBytes(file)).accept(reader,
                    ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                reader.configured().ifPresent(found::add);
            }
        }
        return found;
    }

    private static List<Attribute> attributes(final Type ocd) throws IOException, ReflectiveOperationException {
        // ASM for the order of declaration and the descriptions, reflection for the defaults as Java has them
        final var reader = new AttributeReader();
        new ClassReader(Files.readAllBytes(CLASSES.resolve(ocd.getInternalName() + ".class"))).accept(reader,
            ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        final var type = Class.forName(ocd.getClassName());
        final String prefix = prefix(type);
        assertFalse(reader.descriptions.size() == 1 && reader.descriptions.containsKey("value"),
            type + " is a single-element annotation: its property is named after the type; extend this test");
        final var attributes = new ArrayList<Attribute>();
        for (var entry : reader.descriptions.entrySet()) {
            final Method method = type.getDeclaredMethod(entry.getKey());
            assertNotNull(method.getDefaultValue(), method + " has no Java default");
            attributes.add(new Attribute(propertyName(prefix, method.getName()), method.getReturnType(),
                method.getDefaultValue(), entry.getValue().orElse(null),
                reader.metatypeDefaults.contains(entry.getKey())));
        }
        return attributes;
    }

    private static String prefix(final Class<?> type) throws IllegalAccessException {
        try {
            return (String) type.getField("PREFIX_").get(null);
        } catch (NoSuchFieldException e) {
            return "";
        }
    }

    private static Set<String> files() throws IOException {
        try (var list = Files.list(ETC)) {
            return list.map(path -> path.getFileName().toString())
                .map(name -> name.endsWith(CFG) ? name.substring(0, name.length() - CFG.length())
                    : name + " (not " + CFG + ")")
                .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> elements(final Path file, final String tag, final Function<Element, String> text)
            throws ParserConfigurationException, SAXException, IOException {
        final var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        final var elements = factory.newDocumentBuilder().parse(file.toFile()).getElementsByTagName(tag);
        final Set<String> found = new TreeSet<>();
        for (int i = 0; i < elements.getLength(); i++) {
            found.add(text.apply((Element) elements.item(i)));
        }
        return found;
    }

    private static String child(final Element element, final String name) {
        final var children = element.getElementsByTagName(name);
        return children.getLength() == 0 ? "(no " + name + ")" : children.item(0).getTextContent().strip();
    }

    private static Path classes() {
        try {
            return Path.of(PcpEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a class's {@code @Component} and {@code @Designate}: which configuration PIDs it has (by default, and for
     * "$", the component name, whose default is the class name).
     */
    private static final class ComponentReader extends ClassVisitor {
        private static final String COMPONENT = Type.getDescriptor(Component.class);
        private static final String DESIGNATE = Type.getDescriptor(Designate.class);

        private final List<String> pids = new ArrayList<>();
        private String className = "";
        private @Nullable String name;
        private @Nullable String ocd;
        private boolean component;
        private boolean factory;

        ComponentReader() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(final int version, final int access, final String internalName, final String signature,
                final String superName, final String[] interfaces) {
            className = Type.getObjectType(internalName).getClassName();
        }

        @Override
        public AnnotationVisitor visitAnnotation(final String descriptor, final boolean visible) {
            if (COMPONENT.equals(descriptor)) {
                component = true;
                return new AnnotationVisitor(Opcodes.ASM9) {
                    @Override
                    public void visit(final String element, final Object value) {
                        if ("name".equals(element)) {
                            name = (String) value;
                        }
                    }

                    @Override
                    public AnnotationVisitor visitArray(final String element) {
                        return "configurationPid".equals(element) ? new AnnotationVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(final String unnamed, final Object value) {
                                pids.add((String) value);
                            }
                        } : null;
                    }
                };
            }
            if (DESIGNATE.equals(descriptor)) {
                return new AnnotationVisitor(Opcodes.ASM9) {
                    @Override
                    public void visit(final String element, final Object value) {
                        if ("ocd".equals(element)) {
                            ocd = ((Type) value).getClassName();
                        } else if ("factory".equals(element)) {
                            factory = (Boolean) value;
                        }
                    }
                };
            }
            return null;
        }

        Optional<Configured> configured() {
            if (!component) {
                return Optional.empty();
            }
            final var componentName = name != null ? name : className;
            final var resolved = pids.isEmpty() ? List.of(componentName)
                : pids.stream().map(pid -> "$".equals(pid) ? componentName : pid).toList();
            return Optional.of(new Configured(className, resolved, !pids.isEmpty(), ocd, factory));
        }
    }

    /**
     * Reads a configuration interface's attributes in the order of declaration, with their {@code description} and
     * whether they override the default in metatype ({@code defaultValue}).
     */
    private static final class AttributeReader extends ClassVisitor {
        private static final String ATTRIBUTE = Type.getDescriptor(AttributeDefinition.class);

        final Map<String, Optional<String>> descriptions = new LinkedHashMap<>();
        final Set<String> metatypeDefaults = new TreeSet<>();

        AttributeReader() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(final int access, final String method, final String descriptor,
                final String signature, final String[] exceptions) {
            if ((access & Opcodes.ACC_ABSTRACT) == 0) {
                return null;
            }
            descriptions.put(method, Optional.empty());
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(final String annotation, final boolean visible) {
                    return ATTRIBUTE.equals(annotation) ? new AnnotationVisitor(Opcodes.ASM9) {
                        @Override
                        public void visit(final String element, final Object value) {
                            if ("description".equals(element)) {
                                descriptions.put(method, Optional.of((String) value));
                            }
                        }

                        @Override
                        public AnnotationVisitor visitArray(final String element) {
                            if ("defaultValue".equals(element)) {
                                metatypeDefaults.add(method);
                            }
                            return null;
                        }
                    } : null;
                }
            };
        }
    }
}
