"""The works that assaykit's methods paragraphs cite, each written once, by key.

:data:`REFERENCES` maps a key (``"cheng1973"``) to a :class:`Reference`: the author-year short form a
paragraph cites in the text and the full citation listed after it (:func:`assaykit.methods.compose`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REFERENCES", "Reference"]


@dataclass(frozen=True)
class Reference:
    """One work the methods cite: its author-year short form and its full citation."""

    short: str
    full: str


def _ref(short: str, full: str) -> Reference:
    return Reference(short, full)


#: Every work a methods paragraph may cite, by key: the short (author-year) form and the full citation
#: (authors, year, title, journal or publisher, volume, pages, DOI where one exists).
REFERENCES: dict[str, Reference] = {
    "cheng1973": _ref(
        "Cheng & Prusoff 1973",
        "Cheng Y, Prusoff WH (1973). Relationship between the inhibition constant (K1) and the concentration "
        "of inhibitor which causes 50 per cent inhibition (I50) of an enzymatic reaction. Biochem Pharmacol "
        "22(23):3099-3108. doi:10.1016/0006-2952(73)90196-2",
    ),
    "motulsky2004": _ref(
        "Motulsky & Christopoulos 2004",
        "Motulsky H, Christopoulos A (2004). Fitting Models to Biological Data Using Linear and Nonlinear "
        "Regression: A Practical Guide to Curve Fitting. Oxford University Press, New York. "
        "ISBN 978-0-19-517180-8",
    ),
    "marquardt1963": _ref(
        "Marquardt 1963",
        "Marquardt DW (1963). An algorithm for least-squares estimation of nonlinear parameters. J Soc Ind "
        "Appl Math 11(2):431-441. doi:10.1137/0111030",
    ),
    "motulsky2006": _ref(
        "Motulsky & Brown 2006",
        "Motulsky HJ, Brown RE (2006). Detecting outliers when fitting data with nonlinear regression - a "
        "new method based on robust nonlinear regression and the false discovery rate. BMC Bioinformatics "
        "7:123. doi:10.1186/1471-2105-7-123",
    ),
    "venzon1988": _ref(
        "Venzon & Moolgavkar 1988",
        "Venzon DJ, Moolgavkar SH (1988). A method for computing profile-likelihood-based confidence "
        "intervals. J R Stat Soc Ser C Appl Stat 37(1):87-94. doi:10.2307/2347496",
    ),
    "zhang1999": _ref(
        "Zhang et al. 1999",
        "Zhang JH, Chung TDY, Oldenburg KR (1999). A simple statistical parameter for use in evaluation and "
        "validation of high throughput screening assays. J Biomol Screen 4(2):67-73. "
        "doi:10.1177/108705719900400206",
    ),
    "benjamini1995": _ref(
        "Benjamini & Hochberg 1995",
        "Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and powerful "
        "approach to multiple testing. J R Stat Soc Ser B 57(1):289-300. "
        "doi:10.1111/j.2517-6161.1995.tb02031.x",
    ),
    "bayer2023": _ref(
        "Bayer et al. 2023",
        "Bayer FP, Gander M, Kuster B, The M (2023). CurveCurator: a recalibrated F-statistic to assess, "
        "classify, and explore significance of dose-response curves. Nat Commun 14:7902. "
        "doi:10.1038/s41467-023-43696-z",
    ),
    "deblasi1989": _ref(
        "DeBlasi et al. 1989",
        "DeBlasi A, O'Reilly K, Motulsky HJ (1989). Calculating receptor number from binding experiments "
        "using same compound as radioligand and competitor. Trends Pharmacol Sci 10(6):227-229. "
        "doi:10.1016/0165-6147(89)90266-6",
    ),
    "dunnett1955": _ref(
        "Dunnett 1955",
        "Dunnett CW (1955). A multiple comparison procedure for comparing several treatments with a control. "
        "J Am Stat Assoc 50(272):1096-1121. doi:10.1080/01621459.1955.10501294",
    ),
    "dunnett1980": _ref(
        "Dunnett 1980",
        "Dunnett CW (1980). Pairwise multiple comparisons in the unequal variance case. J Am Stat Assoc "
        "75(372):796-800. doi:10.1080/01621459.1980.10477552",
    ),
    "welch1951": _ref(
        "Welch 1951",
        "Welch BL (1951). On the comparison of several mean values: an alternative approach. Biometrika "
        "38(3/4):330-336. doi:10.1093/biomet/38.3-4.330",
    ),
    "kruskal1952": _ref(
        "Kruskal & Wallis 1952",
        "Kruskal WH, Wallis WA (1952). Use of ranks in one-criterion variance analysis. J Am Stat Assoc "
        "47(260):583-621. doi:10.1080/01621459.1952.10483441",
    ),
    "dunn1964": _ref(
        "Dunn 1964",
        "Dunn OJ (1964). Multiple comparisons using rank sums. Technometrics 6(3):241-252. "
        "doi:10.1080/00401706.1964.10490181",
    ),
    "steel1959": _ref(
        "Steel 1959",
        "Steel RGD (1959). A multiple comparison rank sum test: treatments versus control. Biometrics "
        "15(4):560-572. doi:10.2307/2527654",
    ),
    "holm1979": _ref(
        "Holm 1979",
        "Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6(2):65-70",
    ),
    "kaplan1958": _ref(
        "Kaplan & Meier 1958",
        "Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations. J Am Stat Assoc "
        "53(282):457-481. doi:10.1080/01621459.1958.10501452",
    ),
    "mantel1966": _ref(
        "Mantel 1966",
        "Mantel N (1966). Evaluation of survival data and two new rank order statistics arising in its "
        "consideration. Cancer Chemother Rep 50(3):163-170",
    ),
    "cox1972": _ref(
        "Cox 1972",
        "Cox DR (1972). Regression models and life-tables. J R Stat Soc Ser B 34(2):187-220. "
        "doi:10.1111/j.2517-6161.1972.tb00899.x",
    ),
    "hedges1981": _ref(
        "Hedges 1981",
        "Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related estimators. "
        "J Educ Stat 6(2):107-128. doi:10.3102/10769986006002107",
    ),
    "steiger1997": _ref(
        "Steiger & Fouladi 1997",
        "Steiger JH, Fouladi RT (1997). Noncentrality interval estimation and the evaluation of statistical "
        "models. In: Harlow LL, Mulaik SA, Steiger JH (eds) What If There Were No Significance Tests? "
        "Lawrence Erlbaum, Mahwah NJ, pp 221-257",
    ),
    "pinheiro2000": _ref(
        "Pinheiro & Bates 2000",
        "Pinheiro JC, Bates DM (2000). Mixed-Effects Models in S and S-PLUS. Springer, New York. "
        "doi:10.1007/b98882",
    ),
    "welch1947": _ref(
        "Welch 1947",
        "Welch BL (1947). The generalization of 'Student's' problem when several different population "
        "variances are involved. Biometrika 34(1/2):28-35. doi:10.1093/biomet/34.1-2.28",
    ),
    "mann1947": _ref(
        "Mann & Whitney 1947",
        "Mann HB, Whitney DR (1947). On a test of whether one of two random variables is stochastically "
        "larger than the other. Ann Math Stat 18(1):50-60. doi:10.1214/aoms/1177730491",
    ),
    "marcus1976": _ref(
        "Marcus et al. 1976",
        "Marcus R, Peritz E, Gabriel KR (1976). On closed testing procedures with special reference to "
        "ordered analysis of variance. Biometrika 63(3):655-660. doi:10.1093/biomet/63.3.655",
    ),
    "jonckheere1954": _ref(
        "Jonckheere 1954",
        "Jonckheere AR (1954). A distribution-free k-sample test against ordered alternatives. Biometrika "
        "41(1/2):133-145. doi:10.1093/biomet/41.1-2.133",
    ),
    "shapiro1965": _ref(
        "Shapiro & Wilk 1965",
        "Shapiro SS, Wilk MB (1965). An analysis of variance test for normality (complete samples). "
        "Biometrika 52(3/4):591-611. doi:10.1093/biomet/52.3-4.591",
    ),
    "brown1974": _ref(
        "Brown & Forsythe 1974",
        "Brown MB, Forsythe AB (1974). Robust tests for the equality of variances. J Am Stat Assoc "
        "69(346):364-367. doi:10.1080/01621459.1974.10482955",
    ),
    "mccullagh1989": _ref(
        "McCullagh & Nelder 1989",
        "McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd edn. Chapman and Hall, London. "
        "doi:10.1007/978-1-4899-3242-6",
    ),
    "pellow1985": _ref(
        "Pellow et al. 1985",
        "Pellow S, Chopin P, File SE, Briley M (1985). Validation of open:closed arm entries in an elevated "
        "plus-maze as a measure of anxiety in the rat. J Neurosci Methods 14(3):149-167. "
        "doi:10.1016/0165-0270(85)90031-7",
    ),
    "walf2007": _ref(
        "Walf & Frye 2007",
        "Walf AA, Frye CA (2007). The use of the elevated plus maze as an assay of anxiety-related behavior "
        "in rodents. Nat Protoc 2(2):322-328. doi:10.1038/nprot.2007.44",
    ),
    "rodgers1995": _ref(
        "Rodgers & Johnson 1995",
        "Rodgers RJ, Johnson NJT (1995). Factor analysis of spatiotemporal and ethological measures in the "
        "murine elevated plus-maze test of anxiety. Pharmacol Biochem Behav 52(2):297-303. "
        "doi:10.1016/0091-3057(95)00138-M",
    ),
    "bourin2003": _ref(
        "Bourin & Hascoët 2003",
        "Bourin M, Hascoët M (2003). The mouse light/dark box test. Eur J Pharmacol 463(1-3):55-65. "
        "doi:10.1016/S0014-2999(03)01274-3",
    ),
    "crawley1980": _ref(
        "Crawley & Goodwin 1980",
        "Crawley J, Goodwin FK (1980). Preliminary report of a simple animal behavior model for the "
        "anxiolytic effects of benzodiazepines. Pharmacol Biochem Behav 13(2):167-170. "
        "doi:10.1016/0091-3057(80)90067-2",
    ),
    "gabrielsson2016": _ref(
        "Gabrielsson & Weiner 2016",
        "Gabrielsson J, Weiner D (2016). Pharmacokinetic and Pharmacodynamic Data Analysis: Concepts and "
        "Applications, 5th ed. Stockholm: Swedish Pharmaceutical Press",
    ),
    "denney2015": _ref(
        "Denney et al. 2015",
        "Denney W, Duvvuri S, Buckeridge C (2015). Simple, automatic noncompartmental analysis: the PKNCA R "
        "package. J Pharmacokinet Pharmacodyn 42(1):11-107, S65 (abstract; the package's own citation)",
    ),
    "rowland2011": _ref(
        "Rowland & Tozer 2011",
        "Rowland M, Tozer TN (2011). Clinical Pharmacokinetics and Pharmacodynamics: Concepts and "
        "Applications, 4th ed. Philadelphia: Lippincott Williams & Wilkins",
    ),
    "gibaldi1982": _ref(
        "Gibaldi & Perrier 1982",
        "Gibaldi M, Perrier D (1982). Pharmacokinetics, 2nd ed., revised and expanded. New York: Marcel "
        "Dekker",
    ),
    "kundert2021": _ref(
        "Kundert 2021",
        "Kundert K (2021). Wellmap: a file format for microplate layouts. BMC Res Notes 14:164. "
        "doi:10.1186/s13104-021-05573-0",
    ),
    "savitzky1964": _ref(
        "Savitzky & Golay 1964",
        "Savitzky A, Golay MJE (1964). Smoothing and differentiation of data by simplified least squares "
        "procedures. Anal Chem 36(8):1627-1639. doi:10.1021/ac60214a047",
    ),
    "hamilton1959": _ref(
        "Hamilton 1959",
        "Hamilton M (1959). The assessment of anxiety states by rating. Br J Med Psychol 32(1):50-55. "
        "doi:10.1111/j.2044-8341.1959.tb00467.x",
    ),
    "ich1998": _ref(
        "ICH E9 1998",
        "International Conference on Harmonisation (1998). ICH E9: Statistical principles for clinical "
        "trials. ICH Harmonised Tripartite Guideline",
    ),
    "ich2019": _ref(
        "ICH E9(R1) 2019",
        "International Council for Harmonisation (2019). ICH E9(R1): Addendum on estimands and sensitivity "
        "analysis in clinical trials to the guideline on statistical principles for clinical trials. ICH "
        "Harmonised Guideline",
    ),
    "mallinckrodt2008": _ref(
        "Mallinckrodt et al. 2008",
        "Mallinckrodt CH, Lane PW, Schnell D, Peng Y, Mancuso JP (2008). Recommendations for the primary "
        "analysis of continuous endpoints in longitudinal clinical trials. Drug Inf J 42(4):303-319. "
        "doi:10.1177/009286150804200402",
    ),
    "satterthwaite1946": _ref(
        "Satterthwaite 1946",
        "Satterthwaite FE (1946). An approximate distribution of estimates of variance components. "
        "Biometrics Bull 2(6):110-114. doi:10.2307/3002019",
    ),
    "schuirmann1987": _ref(
        "Schuirmann 1987",
        "Schuirmann DJ (1987). A comparison of the two one-sided tests procedure and the power approach for "
        "assessing the equivalence of average bioavailability. J Pharmacokinet Biopharm 15(6):657-680",
    ),
    "clopper1934": _ref(
        "Clopper & Pearson 1934",
        "Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated in the case of "
        "the binomial. Biometrika 26(4):404-413. doi:10.1093/biomet/26.4.404",
    ),
    "newcombe1998": _ref(
        "Newcombe 1998",
        "Newcombe RG (1998). Interval estimation for the difference between independent proportions: "
        "comparison of eleven methods. Stat Med 17(8):873-890",
    ),
    "rickels2008": _ref(
        "Rickels et al. 2008",
        "Rickels K, Garcia-Espana F, Mandos LA, Case GW (2008). Physician Withdrawal Checklist (PWC-20). "
        "J Clin Psychopharmacol 28(4):447-451",
    ),
    "cameron2013": _ref(
        "Cameron & Trivedi 2013",
        "Cameron AC, Trivedi PK (2013). Regression Analysis of Count Data, 2nd edn. Cambridge University "
        "Press, Cambridge",
    ),
    "schulz2010": _ref(
        "Schulz et al. 2010",
        "Schulz KF, Altman DG, Moher D (2010). CONSORT 2010 statement: updated guidelines for reporting "
        "parallel group randomised trials. BMJ 340:c332. doi:10.1136/bmj.c332",
    ),
}
