package io.holdfast;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import io.holdfast.platform.ModuleApi;

/**
 * The module drawing of docs/ARCHITECTURE.md, enforced: platform ← cluster ← events ← odds, wallet ← betting,
 * settlement ← feed (odds and settlement) ← web; no cycles; a module uses another only through the classes that module marks
 * {@link ModuleApi}; nobody but the HTTP layer itself touches a JAX-RS resource.
 */
class ArchitectureTest {

    private static final String ROOT = "io.holdfast.";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.holdfast");

    /**
     * Public, yet no module's API: a library instantiates it by reflection from another package (SmallRye Fault
     * Tolerance builds the {@code @RetryWhen} predicate; JGroups' AUTH builds its token from the stack's XML),
     * so Java's package-private is not available to it. {@code ClusterKeys} is public for the pair test's stranger
     * node, which installs keys from a wrong secret exactly as a node does.
     */
    private static final Set<String> PUBLIC_FOR_A_LIBRARY = Set.of("io.holdfast.betting.RetriableFailure",
            "io.holdfast.platform.ClusterToken", "io.holdfast.platform.ClusterKeys");

    @Test
    void modulesFollowTheDrawing() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("platform").definedBy("io.holdfast.platform..")
                .layer("cluster").definedBy("io.holdfast.cluster..")
                .layer("events").definedBy("io.holdfast.events..")
                .layer("odds").definedBy("io.holdfast.odds..")
                .layer("wallet").definedBy("io.holdfast.wallet..")
                .layer("betting").definedBy("io.holdfast.betting..")
                .layer("settlement").definedBy("io.holdfast.settlement..")
                .layer("feed").definedBy("io.holdfast.feed..")
                .layer("web").definedBy("io.holdfast.web..")
                .whereLayer("web").mayNotBeAccessedByAnyLayer()
                .whereLayer("betting").mayOnlyBeAccessedByLayers("web")
                .whereLayer("settlement").mayOnlyBeAccessedByLayers("web", "feed")
                .whereLayer("feed").mayOnlyBeAccessedByLayers("web")
                .whereLayer("odds").mayOnlyBeAccessedByLayers("betting", "settlement", "web", "feed")
                .whereLayer("wallet").mayOnlyBeAccessedByLayers("betting", "settlement", "web")
                .whereLayer("events").mayOnlyBeAccessedByLayers("odds", "wallet", "betting", "settlement", "web", "feed")
                .whereLayer("cluster").mayOnlyBeAccessedByLayers("events", "odds", "wallet", "betting", "settlement",
                        "web", "feed")
                .check(CLASSES);
    }

    @Test
    void modulesAreFreeOfCycles() {
        slices().matching("io.holdfast.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void modulesUseEachOtherOnlyThroughTheirApi() {
        classes().that().resideInAPackage("io.holdfast..")
                .should(dependOnOtherModulesOnlyThrough("classes marked @ModuleApi", ArchitectureTest::isModuleApi,
                        "is not marked @ModuleApi: it is internal to module "))
                .check(CLASSES);
    }

    @Test
    void noPageOrModuleUsesAnotherModulesResource() {
        // a resource is the HTTP edge of its own module: the pages and the other modules call its facade instead
        classes().that().resideInAPackage("io.holdfast..")
                .should(dependOnOtherModulesOnlyThrough("classes that are no JAX-RS resource",
                        target -> !isResource(target), "is a JAX-RS resource: call the facade of module "))
                .check(CLASSES);
    }

    @Test
    void aModulesPublicClassesAreItsApiOrItsResources() {
        // the web pages are public for JAX-RS and Qute, and nothing depends on them
        classes().that().resideInAPackage("io.holdfast..").and().resideOutsideOfPackage("io.holdfast.web..")
                .and().areTopLevelClasses().and().haveModifier(JavaModifier.PUBLIC)
                .and(DescribedPredicate.describe("not public for a library",
                        (JavaClass c) -> !PUBLIC_FOR_A_LIBRARY.contains(c.getName())))
                .should(new ArchCondition<>("be marked @ModuleApi or be a JAX-RS resource") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        events.add(new SimpleConditionEvent(c, isModuleApi(c) || isResource(c), c.getName()
                                + " is public: mark it @ModuleApi if other modules use it, else make it package-private"));
                    }
                })
                .check(CLASSES);
    }

    private static ArchCondition<JavaClass> dependOnOtherModulesOnlyThrough(String what,
            Predicate<JavaClass> allowed, String why) {
        return new ArchCondition<>("use other modules only through " + what) {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    Optional<String> from = module(origin);
                    Optional<String> to = module(target);
                    if (from.isPresent() && to.isPresent() && !from.equals(to) && !allowed.test(target)) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()
                                + ": " + target.getName() + " " + why + to.get()));
                    }
                }
            }
        };
    }

    /** The module of a class: the package right under io.holdfast. */
    private static Optional<String> module(JavaClass c) {
        String name = c.getPackageName() + ".";
        if (!name.startsWith(ROOT)) {
            return Optional.empty();
        }
        String rest = name.substring(ROOT.length());
        return rest.isEmpty() ? Optional.empty() : Optional.of(rest.substring(0, rest.indexOf('.')));
    }

    /** Marked itself, or nested in a class that is (a facade's records and enums come with it). */
    private static boolean isModuleApi(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (k.isAnnotatedWith(ModuleApi.class)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isResource(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (k.isAnnotatedWith(Path.class)) {
                return true;
            }
        }
        return false;
    }
}
