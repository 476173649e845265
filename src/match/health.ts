/**
 * Recognises medical content (GDPR art. 9 special category) in French and English: laboratory sections and
 * analytes, measurements with clinical units, serology and infectious diseases, diagnoses and treatments, and the
 * shape of medical documents. Evidence accumulates over a document's records; the document is health data when it
 * holds several distinct signs from at least two families, or several clinical measurements and an analyte.
 */
import { TermAutomaton } from './automaton.ts';
import { fold } from './fold.ts';

/** Folded lexicon entries by family, comma-separated. */
const LEXICON: Record<string, string> = {
  section:
    'numeration formule sanguine, hemogramme, biochimie, hematologie, serologie, immunologie, ' +
    'bacteriologie, microbiologie, compte rendu, resultats d analyses, bilan sanguin, ' +
    'bilan biologique, ordonnance, prescription medicale, complete blood count, lab results, ' +
    'laboratory report, blood test, urinalysis, pathology report, discharge summary, medical record, ' +
    'dossier medical, antecedents, medecin prescripteur, prescripteur, valeurs de reference, ' +
    'reference range, biologiste, examen cytobacteriologique, anatomopathologie, radiologie, ' +
    'imagerie medicale',
  analyte:
    'hemoglobine, hemoglobin, haemoglobin, hematocrite, hematocrit, leucocytes, lymphocytes, ' +
    'neutrophiles, neutrophils, plaquettes, platelets, globules rouges, hematies, red blood cells, ' +
    'white blood cells, glycemie, glucose, creatinine, uree, urea, cholesterol, triglycerides, ' +
    'transaminases, asat, alat, gamma gt, ggt, bilirubine, bilirubin, ferritine, ferritin, tsh, ' +
    't4 libre, hba1c, hemoglobine glyquee, crp, proteine c reactive, c reactive protein, psa, ' +
    'vitamine d, vitamin d, ionogramme, kaliemie, natremie, troponine, troponin, d dimeres, ' +
    'fibrinogene, taux de prothrombine, inr, vgm, tcmh, ccmh, beta hcg, albumine, albumin',
  infection:
    'vih, hiv, hepatite b, hepatite c, hepatitis b, hepatitis c, ag hbs, hbs, anti hcv, syphilis, ' +
    'tpha, vdrl, toxoplasmose, toxoplasmosis, rubeole, rubella, chlamydia, sars cov 2, covid 19, ' +
    'igg, igm, tuberculose, tuberculosis, charge virale, viral load',
  condition:
    'diabete, diabetes, cancer, tumeur, tumour, tumor, chimiotherapie, chemotherapy, ' +
    'hypertension arterielle, grossesse, pregnancy, depression, schizophrenie, schizophrenia, ' +
    'insuffisance renale, renal failure, avc, stroke, epilepsie, epilepsy, alzheimer, diagnostic, ' +
    'diagnosis, traitement, posologie, dosage, allergie, allergy, seropositif, ivg, dialyse',
};

const UNIT =
  /\b\d+(?:[.,]\d+)?\s?(?:g\/dl|g\/l|mg\/dl|mg\/l|mmol\/l|µmol\/l|umol\/l|ui\/l|u\/l|mui\/l|pg\/ml|ng\/ml|µg\/l|ug\/l|giga\/l|tera\/l|(?:x\s?)?10\^?(?:9|12)\/l|g\/24h|mmhg)(?![\p{L}])/giu;

/**
 * Whether UNIT can match at all: every unit holds "/" followed by l, d, m or 2 (g/l, mg/dl, pg/ml, g/24h…) or is
 * mmHg, after a digit. A dump row seldom does, and the regex costs a tenth of a row's analysis.
 */
export function mayHoldUnit(text: string): boolean {
  for (let at = text.indexOf('/'); at >= 0; at = text.indexOf('/', at + 1)) {
    const next = text.charCodeAt(at + 1) | 0x20;
    if (next === 0x6c || next === 0x64 || next === 0x6d || next === 0x32) return true;
  }
  return /mmhg/i.test(text);
}

const patterns: string[] = [];
const families: string[] = [];
for (const [family, words] of Object.entries(LEXICON)) {
  for (const word of words.split(', ')) {
    patterns.push(fold(word));
    families.push(family);
  }
}
let automaton: TermAutomaton | undefined;

export interface HealthEvidence {
  /** Distinct lexicon entries seen, by family. */
  terms: Map<string, Set<number>>;
  measurements: number;
}

export class HealthClassifier {
  private readonly evidence: HealthEvidence = { terms: new Map(), measurements: 0 };
  private decided = false;

  /** Adds a record's text; cheap once the document is known to be health data. */
  add(text: string): void {
    if (this.decided) return;
    automaton ??= new TermAutomaton(patterns);
    let changed = false;
    for (const match of automaton.scan(text)) {
      const family = families[match.pattern] as string;
      let seen = this.evidence.terms.get(family);
      if (!seen) {
        seen = new Set();
        this.evidence.terms.set(family, seen);
      }
      seen.add(match.pattern);
      changed = true;
    }
    if (mayHoldUnit(text)) {
      for (const _ of text.matchAll(UNIT)) {
        this.evidence.measurements++;
        changed = true;
      }
    }
    if (changed) this.decided = this.isHealth();
  }

  isHealth(): boolean {
    const distinct = [...this.evidence.terms.values()].reduce((n, set) => n + set.size, 0);
    const familyCount = this.evidence.terms.size;
    const analytes = this.evidence.terms.get('analyte')?.size ?? 0;
    return (distinct >= 3 && familyCount >= 2) || (this.evidence.measurements >= 3 && analytes >= 1);
  }

  /** Counts for the match record's details. */
  summary(): { terms: number; families: string[]; measurements: number } {
    return {
      terms: [...this.evidence.terms.values()].reduce((n, set) => n + set.size, 0),
      families: [...this.evidence.terms.keys()].sort(),
      measurements: this.evidence.measurements,
    };
  }
}
