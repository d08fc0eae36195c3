package io.holdfast;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** Module boundaries of docs/ARCHITECTURE.md §4: modules use each other's facades, and the base layers depend on no module. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.holdfast");

    @Test
    void platformDependsOnNoBusinessModule() {
        noClasses().that().resideInAPackage("io.holdfast.platform..")
                .should().dependOnClassesThat().resideInAnyPackage("io.holdfast.odds..", "io.holdfast.wallet..",
                        "io.holdfast.betting..", "io.holdfast.settlement..", "io.holdfast.cluster..")
                .check(CLASSES);
    }

    @Test
    void clusterDependsOnlyOnPlatform() {
        noClasses().that().resideInAPackage("io.holdfast.cluster..")
                .should().dependOnClassesThat().resideInAnyPackage("io.holdfast.odds..", "io.holdfast.wallet..",
                        "io.holdfast.betting..", "io.holdfast.settlement..")
                .check(CLASSES);
    }

    @Test
    void oddsAndWalletKnowNothingOfBettingOrSettlement() {
        noClasses().that().resideInAnyPackage("io.holdfast.odds..", "io.holdfast.wallet..")
                .should().dependOnClassesThat().resideInAnyPackage("io.holdfast.betting..", "io.holdfast.settlement..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("io.holdfast.odds..")
                .should().dependOnClassesThat().resideInAPackage("io.holdfast.wallet..").check(CLASSES);
    }

    @Test
    void bettingDoesNotDependOnSettlement() {
        noClasses().that().resideInAPackage("io.holdfast.betting..")
                .should().dependOnClassesThat().resideInAPackage("io.holdfast.settlement..").check(CLASSES);
    }

    @Test
    void noModuleDependsOnTheWebPages() {
        // the pages sit on top: they use the modules' facades, and nothing below them knows they exist
        noClasses().that().resideInAnyPackage("io.holdfast.odds..", "io.holdfast.wallet..", "io.holdfast.betting..",
                "io.holdfast.settlement..", "io.holdfast.cluster..", "io.holdfast.platform..")
                .should().dependOnClassesThat().resideInAPackage("io.holdfast.web..").check(CLASSES);
    }
}
