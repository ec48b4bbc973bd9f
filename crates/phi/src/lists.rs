//! The hand-written word lists and the flag bits of the lexicon, shared with `build.rs`, which
//! compiles them with the gazetteers of `data/` into one hash table at build time (so start-up
//! builds nothing).
#![allow(dead_code)]

use std::hash::Hasher;

pub(crate) const GIVEN: u32 = 1;
pub(crate) const FAMILY: u32 = 1 << 1;
/// An ordinary English word (SCOWL). When also a name ("hope", "will", "brown"), a name only in context.
pub(crate) const WORD: u32 = 1 << 2;
pub(crate) const MONTH: u32 = 1 << 3;
pub(crate) const WEEKDAY: u32 = 1 << 4;
/// Comes before a name: "Dr", "Mrs", "Aunt", "Coach".
pub(crate) const TITLE: u32 = 1 << 5;
/// A relationship noun that introduces a person: "boss", "ex", "sister".
pub(crate) const RELATION: u32 = 1 << 6;
/// A US state or territory, full name or postal abbreviation: not an identifier.
pub(crate) const STATE: u32 = 1 << 7;
pub(crate) const STREET_SUFFIX: u32 = 1 << 8;
/// Ends an organization's name whatever comes before it: "Inc", "School", "Church".
pub(crate) const ORG_STRONG: u32 = 1 << 9;
/// Ends an organization's name when the rest is distinctive: "Center", "Services".
pub(crate) const ORG_WEAK: u32 = 1 << 10;
/// Never an identifier: medications, modalities, languages, payers, clinical abbreviations.
pub(crate) const STOP: u32 = 1 << 11;
pub(crate) const CITY: u32 = 1 << 12;
/// Joins parts of a name: "de", "van", "bin".
pub(crate) const PARTICLE: u32 = 1 << 13;
/// A verb that, right after a capitalized word, shows the word names a person.
pub(crate) const SPEECH_VERB: u32 = 1 << 14;
pub(crate) const UNIT: u32 = 1 << 15;
pub(crate) const DIRECTION: u32 = 1 << 16;
/// A well-known employer or chain.
pub(crate) const EMPLOYER: u32 = 1 << 17;
/// Starts an organization's name: "University of", "Bank of".
pub(crate) const ORG_HEAD: u32 = 1 << 18;
/// A pronoun or other function word: never a name.
pub(crate) const FUNCTION: u32 = 1 << 20;
/// A determiner or preposition before a capitalized word that makes it a thing, not a person.
pub(crate) const DETERMINER: u32 = 1 << 21;
/// A verb that often follows a person's name in messages ("took", "keeps").
pub(crate) const FOLLOW_VERB: u32 = 1 << 22;
/// A word that opens a note's sentence and happens to be a name too ("Met", "Will").
pub(crate) const OPENING: u32 = 1 << 23;
/// The last word of a cue before a place or organization ("in", "at", "attends").
pub(crate) const PLACE_CUE: u32 = 1 << 24;
/// A season or holiday, which with a year or a temporal word is a date.
pub(crate) const DATE_WORD: u32 = 1 << 26;
/// Ends the name of a town: "Shaker Heights", "Cedar Rapids", "Salt Lake".
pub(crate) const TOWN_SUFFIX: u32 = 1 << 25;
/// First word of a listed phrase (a stop phrase or a city of several words): only these are checked.
pub(crate) const PHRASE_HEAD: u32 = 1 << 19;
/// First word of a well-known organization of several words (`ORGANIZATIONS`).
pub(crate) const ORG_PHRASE_HEAD: u32 = 1 << 27;

pub(crate) const MONTHS: &str = "january february march april may june july august september october november december \
    jan feb mar apr jun jul aug sep sept oct nov dec \
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre \
    janvier fevrier avril juin juillet aout septembre octobre novembre decembre \
    janvye fevriye jiye septanm oktob novanm desanm";
pub(crate) const WEEKDAYS: &str = "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun \
    mondays tuesdays wednesdays thursdays fridays saturdays sundays weekend weekends \
    lunes martes miercoles jueves viernes sabado domingo";
pub(crate) const TITLES: &str = "mr mrs ms miss mx dr doctor prof professor rev reverend fr pastor officer judge coach aunt auntie \
    uncle grandma grandpa granny nana pastor sgt sergeant capt captain lt det detective cpl lcpl pvt pfc spc ssg ssgt sfc maj col nurse principal counselor \
    sister brother cousin deacon rabbi imam father mister madam sra sr senor senora mme mlle herr frau pharmacist chaplain deputy trooper";
pub(crate) const RELATIONS: &str = "boss supervisor manager coworker colleague friend bestie bff girlfriend boyfriend bf gf gm gma gpa mgm pgm mgf pgf bro sis hubby partner wife \
    husband spouse fiance fiancee ex mom mother mum dad father stepmom stepmother stepdad stepfather sister brother \
    sibling son daughter stepson stepdaughter stepbrother stepsister aunt uncle cousin niece nephew grandmother \
    grandfather grandma grandpa grandson granddaughter roommate cellmate cellie bunkmate neighbor neighbour teacher coach pastor priest rabbi \
    imam therapist psychiatrist counselor doctor pcp sponsor caseworker lawyer attorney landlord landlady tutor \
    mentor classmate teammate child kid baby infant toddler twin guardian caregiver aide babysitter nanny \
    boyfriends girlfriends exes sisters brothers sons daughters kids children friends cousins parents parent \
    dating named called nicknamed dog cat puppy kitten pet tio tia abuela abuelo abuelita mami papi primo prima";
pub(crate) const STATES: &str = "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii \
    idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota \
    mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina dakota ohio oklahoma oregon \
    pennsylvania rhode island tennessee texas utah vermont virginia washington wisconsin wyoming puerto rico \
    al ak az ar ca co ct de fl ga hi ia id il in ks ky la ma md me mi mn mo ms mt nc nd ne nh nj nm nv ny oh ok or \
    pa ri sc sd tn tx ut va vt wa wi wv wy dc pr";
pub(crate) const STREET_SUFFIXES: &str = "street st avenue ave av road rd boulevard blvd lane ln drive dr court ct way place \
    pl terrace ter circle cir parkway pkwy highway hwy trail trl loop square sq pike row alley crescent path \
    ridge crossing heights plaza plz causeway bend cove hollow landing knoll bluff run close mews parade esplanade quay \
    commons turnpike tpke freeway fwy expressway expy oval";
pub(crate) const UNITS: &str = "apt apartment unit suite ste floor fl rm bldg building lot box";
pub(crate) const DIRECTIONS: &str = "n s e w ne nw se sw north south east west northeast northwest southeast southwest";
pub(crate) const ORG_STRONG_WORDS: &str = "inc incorporated llc llp pllc plc ltd corp corporation assoc assn hha company companies hospital hospitals \
    clinic clinics school schools academy university college institute church temple mosque synagogue chapel \
    cathedral ministries bank foundation associates pharmacy daycare preschool kindergarten elementary seminary \
    hs tabernacle parish pediatrics psychiatry orthopedics cardiology dermatology neurology urology radiology \
    dentistry obgyn";
pub(crate) const ORG_WEAK_WORDS: &str = "center centre centers centres services mgmt correctional corrections solutions industries enterprises holdings systems technologies \
    tech labs laboratories logistics construction insurance healthcare manufacturing consulting realty salon \
    fitness gym farms bakery hardware mine diner grill restaurant cafe market store stores shop depot warehouse motors auto \
    garage agency firm authority campus action palace district airlines airline airways technology rehabilitation probation parole cleaning laundromat laundry spa nails barbershop boutique roofing towing flooring paving masonry contractors contracting builders properties management studio studios club supermarket hotel inn resort casino factory mill group co partners \
    trucking plumbing electric landscaping cleaners dental clinicians partnership network shelter health \
    wellness recovery detox rehab house lodge ranch manor village fellowship parish high union body \
    bakery pizza pizzeria tavern pub bar bbq barbecue deli coffee roasters brewing brewery taqueria cantina creamery donuts bagels counseling counselling therapy psychotherapy psychology foods \
    apartments apts communities residences medicine library museum practice practices programs hospice middle hall cc collaborative collective cooperative unit transit \
    drug drugs apothecary shoppe charities charity association society coalition alliance federation council league \
    brigade battalion regiment squadron platoon law police seafood fisheries chapter care repair sons project mc cemetery";
pub(crate) const ORG_HEADS: &str = "hospice university bank church cathedral basilica shrine chapel college academy school institute masjid temple congregation camp clinica iglesia escuela centre centro hopital clinique ecole universite secundaria primaria preparatoria colegio universidad instituto liceo";
pub(crate) const PARTICLES: &str =
    "de la del della der van von da di dos das du le bin ibn al el ben st mac ter ten y o ni";
pub(crate) const SPEECH_VERBS: &str = "said says reported reports stated states told tells texted texts called calls asked asks \
    yelled screamed explained mentioned shared admitted agreed refused cried laughed wrote emailed visited \
    wants wanted thinks believes feels felt";
pub(crate) const STOPS: &str = "dari pashto tigrinya oromo yoruba igbo hausa esq esquire jd \
    attn lic req requestor rec facilitator evaluator callback bluecross blueshield camry corolla silverado altima sentra prius elantra \
    copay copays coinsurance deductible superbill preauth auth reauth eob nami samhsa alanon lifeline \
    cognitive behavioral behavioural therapy dialectical exposure prevention motivational interviewing intensive \
    outpatient inpatient program emergency room partial hospitalization stabilization residential treatment \
    processing trauma focused informed interpersonal psychotherapy solution narrative schema \
    sertraline zoloft fluoxetine prozac escitalopram lexapro citalopram celexa paroxetine paxil \
    venlafaxine effexor desvenlafaxine pristiq duloxetine cymbalta bupropion wellbutrin mirtazapine remeron \
    trazodone desyrel vortioxetine trintellix vilazodone viibryd amitriptyline elavil nortriptyline pamelor \
    imipramine clomipramine anafranil lithium lithobid lamotrigine lamictal valproate depakote divalproex \
    carbamazepine tegretol oxcarbazepine trileptal topiramate topamax gabapentin neurontin pregabalin lyrica \
    quetiapine seroquel olanzapine zyprexa risperidone risperdal aripiprazole abilify ziprasidone geodon \
    lurasidone latuda haloperidol haldol clozapine clozaril paliperidone invega cariprazine vraylar brexpiprazole \
    rexulti lorazepam ativan clonazepam klonopin alprazolam xanax diazepam valium buspirone buspar hydroxyzine \
    vistaril atarax propranolol inderal prazosin minipress clonidine kapvay guanfacine intuniv methylphenidate \
    ritalin concerta adderall amphetamine dextroamphetamine vyvanse lisdexamfetamine atomoxetine strattera \
    modafinil provigil zolpidem ambien eszopiclone lunesta melatonin naltrexone vivitrol revia buprenorphine \
    suboxone subutex sublocade methadone acamprosate campral disulfiram antabuse naloxone narcan varenicline \
    chantix levothyroxine synthroid metformin lisinopril atorvastatin ibuprofen tylenol acetaminophen advil \
    motrin benadryl diphenhydramine prednisone albuterol omeprazole esketamine spravato ketamine zuranolone \
    zurzuvae brexanolone semaglutide ozempic wegovy fluvoxamine luvox doxepin silenor ramelteon rozerem \
    temazepam restoril chlordiazepoxide librium oxazepam phenobarbital asenapine saphris lumateperone caplyta \
    xanomeline cobenfy viloxazine qelbree dexmethylphenidate focalin nicotine \
    cbt dbt emdr ipt mbct cpt erp sfbt tfcbt gottman socratic psychoeducation mindfulness \
    phq gad pcl bdi bai mdd ptsd adhd ocd bpd sud aud etoh thc cbd icu iop php roi hipaa icd dsm cssrs si \
    lcsw lpc lmft lmhc psyd psy abpp phd md np rn msw lcdc cadc bcba pmhnp aprn lcpc lpcc lisw licsw \
    english spanish french german chinese mandarin cantonese japanese korean vietnamese arabic hindi urdu \
    punjabi bengali russian ukrainian polish portuguese italian greek turkish farsi persian somali amharic \
    tibetan nepali burmese khmer hebrew yiddish armenian albanian serbian croatian bosnian romanian hungarian czech \
    slovak dutch swedish norwegian danish finnish malay indonesian tamil telugu gujarati marathi kannada malayalam \
    sinhala wolof lingala kinyarwanda kirundi zulu xhosa shona quechua nahuatl chuukese marshallese samoan tongan \
    hawaiian ilocano cebuano dine lakota krio \
    swahili tagalog filipino haitian creole hmong navajo asl american african mexican latino latina latinx \
    cajun acadian hispanic asian european caucasian jewish muslim catholic protestant baptist methodist lutheran buddhist \
    irish scottish british canadian australian nigerian ghanaian kenyan ethiopian eritrean congolese jamaican cuban \
    salvadoran guatemalan honduran colombian venezuelan peruvian brazilian pakistani afghan iraqi iranian syrian \
    lebanese palestinian israeli egyptian moroccan \
    hindu sikh mormon lds atheist agnostic pentecostal evangelical \
    america usa canada china india japan korea vietnam philippines germany france england britain \
    ireland italy spain russia ukraine iraq afghanistan iran syria israel palestine egypt nigeria ghana kenya \
    ethiopia somalia brazil colombia venezuela cuba haiti jamaica guatemala honduras salvador dominican \
    sweden norway denmark finland iceland poland netherlands belgium switzerland austria portugal greece romania \
    hungary scotland wales australia argentina peru ecuador bolivia uruguay nicaragua pakistan bangladesh nepal \
    thailand cambodia laos myanmar malaysia indonesia singapore taiwan mongolia morocco algeria tunisia sudan \
    eritrea uganda tanzania rwanda burundi congo cameroon senegal liberia zimbabwe zambia mozambique \
    christmas thanksgiving easter halloween hanukkah ramadan eid passover kwanzaa \
    medicaid medicare tricare aetna cigna humana anthem bcbs unitedhealthcare optum magellan ambetter \
    molina centene wellcare highmark carefirst emblemhealth caresource amerigroup wellpoint carelon premera \
    regence geha champva aa dob mrn ua uas uds ime soonercare tenncare masshealth mainecare kancare badgercare minnesotacare familycare \
    ahcccs unum metlife aflac peachcare kidcare healthfirst metroplus caloptima excellus \
    army mastercard amex paypal zelle venmo cashapp zoom facetime skype google facebook instagram tiktok snapchat twitter whatsapp discord reddit youtube \
    netflix iphone android telehealth doxy mychart gmail hotmail icloud protonmail \
    covid coronavirus tylenol ssri snri maoi tca benzo benzos meds attendees facilitators \
    subjective objective assessment plan data behavior intervention response goals goal summary diagnosis \
    client patient pt session note mse affect mood bid tid qid qhs prn hx sx tx dx rx fx pmh hpi ros \
    lol idk tbh btw omg thx pls plz ok okay cuz gonna wanna yall ur abt \
    didn doesn isn wasn couldn wouldn shouldn aren weren hasn hadn til \
    moca mmse slums asrs mdq ybocs bprs cage dast epds ace aces whodas ors srs cans asam phqa ssrs \
    shabbat sabbath diwali lent kippur hashanah purim sukkot vesak lunar com net edu \
    aotearoa yahrzeit minyan kaddish whanau iwi kaumatua tangi tangihanga hapu ohana tutu keiki kupuna jummah \
    iftar suhoor novena \
    quinceanera bris mitzvah";
/// Psychiatric terms the English list lacks ("schizoaffective", "euthymic", "akathisia"): from the
/// ICD-10-CM chapter F and Z code titles and the mental-status and psychopharmacology vocabulary.
/// Capitalized in a diagnosis or a heading, they would otherwise read as unknown names.
pub(crate) const CLINICAL_WORDS: &str = "non \
    recertify recertified recertification sundowning sundowner fetty fent percs perc xans xanny xannies oxy oxys \
    roxies tussin shrooms lsd mdma ghb kpins klonnies bupe supervisee supervisees counselee cotherapist \
    teletherapy telemedicine precontemplation deescalation homeschool homeschooled cyberbullying cyberbullied \
    xylazine kratom geriatrician geriatricians oncologist endocrinologist gastroenterologist neuropsychologist \
    psychopharmacologist rheumatologist nephrologist pulmonologist audiologist otolaryngologist physiatrist \
    tecum duces polysomnography polysomnogram metabolizer metabolizers pharmacogenomic pharmacogenomics \
    pharmacogenetic imaginal breastfeeding hospitalist hospitalists telepsychiatry telepsych meth bup norbup \
    generalist utero vitro vivo situ juvie lockdown neuropsychology stressor stressors posttraumatic perinatal \
    postpartum neuropsychiatric psychosomatic uncongenial underachievement workmates abulia acrophobia affective \
    agoraphobia akathisia alogia alzheimer amnestic androphobia anergia anhedonia \
    anhedonic anosognosia antipsychotic anxiolytic arachnophobia arfid asociality asperger avoidant avolition \
    benzodiazepine benzodiazepines biopsychosocial bruxism catatonia comorbid comorbidity contraindicated \
    cyclothymic decompensated decompensation delusional depersonalization depersonalized derealization \
    derealized disinhibited disintegrative dissociative distractibility dysarthria dyscalculia dysgraphia \
    dyskinesia dysmorphic dyspareunia dysphoria dysphoric dysregulated dysregulation dysthymia dysthymic \
    echolalia echopraxia encopresis enmeshment enuresis euthymia euthymic frotteurism gynephobia homicidality \
    hyperarousal hypersomnia hypersomnolence hypervigilance hypervigilant hypoactive hypochondriacal \
    hypochondriasis hypomania hypomanic ideation ideations impulsivity incongruent korsakoff labile lability \
    logorrhea multiparity mutism neoplasm nervosa neurocognitive neurodivergent neuropsych neuropsychological \
    neurotypical nonadherence noncompliant nonprocreative nonpsychotic nonsuicidal nssi obsessional \
    oppositional overactivity overprotection paraphilia paraphilias parasomnia parentification paroxysmal \
    pedophilia perseveration perseverative phenelzine postconcussional premorbid prodromal prodrome \
    pseudobulbar psychoactive psychoanalytic psychodynamic psychoeducational psychomotor psychopharmacology \
    psychophysiologic psychosocial puerperal puerperium reassignment ruminative sadomasochism schizoaffective \
    schizophreniform schizotypal sequelae situational somatic somatization somatoform spousal stimming \
    suicidality suspiciousness suvorexant tardive titrate titrated titration tourette transsexualism \
    transvestic tranylcypromine trichotillomania undifferentiated unsheltered vaginismus visuospatial";
/// Medications by generic and brand name, psychiatric and the common others a note lists, except
/// those that are also people's names ("Allegra"); a word written before a dose is a medication
/// whatever it is (`detect::protect_medications`).
pub(crate) const MEDICATIONS: &str = "fetzima auvelity emsam nardil parnate tofranil sinequan sustenna aristada thorazine cogentin catapres \
    tenex daytrana jornay azstarys dexedrine evekeo mydayis nuvigil eskalith keppra belsomra dayvigo quviviq \
    zubsolv nicorette lucemyra methadose dolophine lipitor amlodipine norvasc prilosec mounjaro zepbound \
    metoprolol losartan zofran aleve naproxen singulair zyrtec claritin flonase xyzal nexplanon depo provera \
    sprintec yaz ingrezza austedo nuplazid lybalvi uzedy perseris hafyera maintena zulresso gepirone exxua \
    nuedexta pimavanserin valbenazine deutetrabenazine tetrabenazine xenazine benztropine trihexyphenidyl docusate senna sennosides \
    artane amantadine fluphenazine prolixin perphenazine trilafon loxapine thiothixene navane chlorpromazine \
    molindone pimozide orap iloperidone fanapt desipramine norpramin protriptyline vivactil trimipramine \
    surmontil amoxapine maprotiline selegiline isocarboxazid marplan nefazodone levomilnacipran milnacipran \
    armodafinil solriamfetol sunosi pitolisant wakix xyrem xywav lumryz tasimelteon hetlioz lemborexant \
    daridorexant doxylamine unisom zaleplon triazolam halcion estazolam flurazepam clorazepate tranxene \
    meprobamate phentermine qsymia contrave zonisamide zonegran lacosamide vimpat levetiracetam ethosuximide \
    phenytoin dilantin clobazam onfi lofexidine nalmefene kloxxado zimhi opvee brixadi simvastatin \
    rosuvastatin crestor pravastatin cozaar valsartan diovan hydrochlorothiazide hctz furosemide lasix \
    lopressor toprol carvedilol coreg atenolol tenormin pantoprazole protonix esomeprazole nexium famotidine \
    pepcid ranitidine ondansetron promethazine phenergan meclizine sumatriptan imitrex rizatriptan maxalt \
    ubrelvy nurtec aimovig emgality ajovy lantus humalog novolog jardiance farxiga trulicity victoza \
    tirzepatide liraglutide glipizide januvia warfarin coumadin eliquis apixaban xarelto rivaroxaban \
    clopidogrel plavix celecoxib celebrex meloxicam mobic cyclobenzaprine flexeril tizanidine zanaflex \
    baclofen methocarbamol robaxin tramadol ultram oxycodone percocet hydrocodone norco vicodin fentanyl \
    dilaudid hydromorphone medrol methylprednisolone proair ventolin symbicort advair montelukast cetirizine \
    loratadine fexofenadine levocetirizine fluticasone amoxicillin augmentin azithromycin doxycycline \
    cephalexin keflex ciprofloxacin bactrim nitrofurantoin macrobid valacyclovir valtrex acyclovir paxlovid \
    tamiflu estradiol premarin progesterone norethindrone levonorgestrel loestrin androgel finasteride \
    propecia tamsulosin flomax sildenafil viagra tadalafil cialis spironolactone isotretinoin accutane \
    tretinoin minocycline adapalene differin biktarvy descovy truvada genvoya humira dupixent enbrel stelara";
pub(crate) const FUNCTION_WORDS: &str = "he she her him his hers they them their it its we us you i me my our your this that these those who whom the a an and or but if so to of in on at by for with from up per as is was be not no";
pub(crate) const DETERMINERS: &str = "the a an of this that our your their its any some no each every";
pub(crate) const FOLLOWING_VERBS: &str = "took takes keeps kept comes came is was has had and got gets went goes left did does never always just still hit yelled won't wont cant can't";
pub(crate) const OPENING_VERBS: &str = "met saw will may can see per did had has said told asked spoke called noted reviewed discussed reports states plans also then when while after before thanks thank dear hi hello hey love miss ask call tell text bring \
    started began begins start starts continue continued continues completed completes attended attends introduced practiced recommend recommended offered provided gave encouraged";
pub(crate) const PLACE_CUES: &str = "in to from near outside inside behind visiting visit around at for by off of on attends attending attended en called named";
pub(crate) const TOWN_SUFFIXES: &str = "heights springs falls beach city park hills valley lake rapids harbor bay creek grove junction \
    port village township mills landing crossing ford bluffs county parish borough river";
pub(crate) const DATE_WORDS: &str = "spring summer fall autumn winter christmas thanksgiving easter halloween hanukkah passover kwanzaa ramadan eid diwali";
/// Common Spanish words, read as words (a name needs a cue): in a Spanish note the census lists
/// would otherwise take "que", "esta", "para" for surnames. Written folded, as every list here is
/// ("mas" for "más"): tokens are looked up so. Not those that are also common names
/// ("Ella", "Le"), particles of names ("de", "la", "del", "el", "al", "y") or words of places' names
/// ("los", "las": "Casa de las Campanas").
pub(crate) const SPANISH_WORDS: &str = "que un una unos unas o pero porque como cuando donde muy mas menos mejor peor bien mal tambien \
    tampoco siempre nunca ya todavia aun si en con sin por para sobre entre hasta desde hacia su sus mi mis \
    tu tus nuestro nuestra este esta estos estas ese esa esos esas eso esto aqui alli hoy ayer manana semana \
    semanas mes meses ano anos dia dias noche tarde vez veces cada todo toda todos todas otro otra otros \
    otras mucho mucha muchos muchas poco poca algo nada alguien nadie el ellos ellas usted ustedes nosotros \
    les lo se me te nos es son esta estan estaba estaban fue fueron ha han habia hay tiene tienen tenia tuvo \
    hace hizo dice dijo refiere reporta reporto indica niega sigue siguen continua continuar regresa vive \
    viven trabaja trabajando trabajar durmio duerme dormir siente sintio quiere puede pueden debe va van ir \
    ver vio sesion sesiones cita proxima proximo esposo esposa hijo hija hijos hijas madre padre hermano \
    hermana abuela abuelo tia tio familia escuela trabajo problemas problema peleas afecto animo estado \
    depresion ansiedad menor remision parcial estresores separacion situacion migratoria evaluacion \
    diagnostico tratamiento cliente paciente terapeuta fecha nacimiento expediente referida referido abogada \
    abogado dos cuatro cinco antes despues durante fines amplio nota notas progreso afecto triste orientado \
    orientada ideacion suicida trastorno depresivo depresiva mayor episodio unico moderado moderada leve \
    grave continuar semanal semanales referir medicamentos medicamento horas duerme regreso cuidar \
    compania construccion ansioso ansiosa animo plan objetivo objetivos metas terapia consejeria evaluacion \
    espanol ingles idioma interprete sola solo escolar escolares domingos sabados clienta \
    breve llamada llamo telefonica telefono llave equipo movil visita vecina vecino barrio calle comido comer \
    coordino coordinar hoy mama papa los nuevo nueva fotos foto suyas suyos suya suyo caso casos publicaron \
    companeras companeros cocina llantera asistieron dejo renta asma dio informacion condado despensa ayuda \
    atrasados empacadora citas perdio direccion motivo consulta historia murio misa salud medico medica carta \
    permiso apoyo empleo cruza diario detenido detenida empacando turnos accidente carretera estudia domingo tipo \
    metformina admision bilingue duermo desde llevaron pareja tarea solas paso pasado pasada minutos cada \
    necesitabas momento avisar avisarme fiesta sobrina sobrino";
/// Common French words (and a few of Haitian Creole), read as words for the same reason (a Quebec
/// note: "Sa conjointe", "Prochain rendez-vous"). Not name particles ("de", "du", "des", "le",
/// "la") nor words that are also common names ("Roy", "Claude", "Li").
pub(crate) const FRENCH_WORDS: &str = "\
    pou kreyol dosye seyans madanm pitit lannwit kouzen kondi netwaye not kliyan klinisyen dat domi byen depi \
    fre deplase ale legliz sou nan ak yo ave voye lajan manman fatige men ri le pale pitit sipo avoka siyen \
    otorizasyon lot si pa di te \
    sa ses son leur leurs mon ma mes ton ta tes notre nos votre vos il elle ils elles nous vous on \
    je tu lui eux ce cette ces cet qui quoi dont ou et ou mais donc car ni puis alors aussi encore toujours jamais \
    deja trop peu beaucoup plus moins bien mal mieux avec sans chez pour par dans sur sous entre vers \
    depuis pendant avant apres selon contre une un au aux est sont etait etaient ete etre avoir avait ont \
    fait faire dit dire rapporte rapportait mentionne nie presente demeure travaille vit habite semble \
    prochain prochaine rendez adresse mise jour jours semaine semaines mois annee annees aujourd hier demain \
    matin soir nuit fois suivi suivie seance seances humeur sommeil appetit anxiete depression travail \
    emploi conjoint conjointe mere pere frere soeur fille fils enfant enfants famille ami amie amis \
    patient patiente client cliente medecin infirmiere difficultes amelioration plan objectifs evaluation \
    traitement medication rue app appartement temps partiel plein retour accompagne apte difficile revoir \
    poursuivre recommence frequenter seule reste lundi mardi mercredi jeudi vendredi samedi dimanche";
/// Common Vietnamese words, folded (a parent's message: "con tôi không đi học hôm nay"). Not those
/// that are also names ("Anh", "Thu", "Minh", "Nhung", "Trương", "Huỳnh", "Lâm", "Chung", "Phú").
pub(crate) const VIETNAMESE_WORDS: &str = "\
    toi khong hom nay noi bung dua cua hoc voi duoc roi rat biet nhieu";
pub(crate) const STOP_PHRASES: &[&str] = &[
    "beck depression inventory",
    "conners cpt",
    "vanderbilt forms",
    "vanderbilt form",
    "vanderbilt rating",
    "vanderbilt scales",
    "vanderbilt assessment",
    "conners 3",
    "conners 4",
    "beck anxiety inventory",
    "beck hopelessness scale",
    "columbia suicide severity rating scale",
    "columbia protocol",
    "hamilton depression rating scale",
    "hamilton anxiety rating scale",
    "young mania rating scale",
    "yale brown obsessive compulsive scale",
    "edinburgh postnatal depression scale",
    "vanderbilt assessment scale",
    "conners rating scale",
    "stanley brown safety plan",
    "stanley brown",
    "gottman method",
    "alcoholics anonymous",
    "narcotics anonymous",
    "smart recovery",
    "al anon",
    "blue cross",
    "blue shield",
    "united healthcare",
    "health net",
    // State Medicaid programs and managed-care plans (Medicaid.gov's state program names): payers
    "medi cal",
    "husky health",
    "apple health",
    "healthy louisiana",
    "healthchoice illinois",
    "hoosier healthwise",
    "healthy indiana plan",
    "healthy michigan plan",
    "oregon health plan",
    "health first colorado",
    "turquoise care",
    "centennial care",
    "cardinal care",
    "dr dynasaur",
    "rite care",
    "georgia families",
    "mo healthnet",
    "superior healthplan",
    "sunshine health",
    "buckeye health plan",
    "peach state health plan",
    "home state health",
    "nebraska total care",
    "louisiana healthcare connections",
    "magnolia health",
    "arizona complete health",
    "fidelis care",
    "florida blue",
    "tufts health plan",
    "harvard pilgrim",
    "priority health",
    "healthy blue",
    "oscar health",
    "inland empire health plan",
    // Countries of two words, some opening with a name ("Sierra", "Costa"): not identifiers
    "sierra leone",
    "united states",
    "united kingdom",
    "costa rica",
    "el salvador",
    "south africa",
    "new zealand",
    "dominican republic",
    "puerto rico",
    "saudi arabia",
    "hong kong",
    "sri lanka",
    "south korea",
    "north korea",
    "burkina faso",
    "ivory coast",
    "moral reconation",
    // National crisis and support lines (SAMHSA's list of national helplines): public resources.
    "suicide and crisis lifeline",
    "crisis lifeline",
    "crisis text line",
    "veterans crisis line",
    "trans lifeline",
    "trevor project",
    "national alliance on mental illness",
    "national domestic violence hotline",
    "samhsa national helpline",
    "motivational interviewing",
    // Diagnoses whose first word is also a name or an ordinary word
    "major depressive",
    "major depression",
    "major neurocognitive",
    "low self esteem",
    "rett syndrome",
    "parkinson s",
    // Treatments, instruments and skills whose words are also names ("Faith", "Serenity", "Spectrum")
    "eye movement desensitization",
    "mentalization based",
    "parent child interaction",
    "minnesota multiphasic",
    "wechsler adult intelligence",
    "wechsler intelligence scale",
    "autism spectrum",
    "good faith",
    "sand tray",
    "serenity prayer",
    "wise mind",
    // DBT skills whose words are also names ("Check", "Hope"): clinical
    "check the facts",
    "cope ahead",
    "build mastery",
    "self soothe",
    "half smile",
    "willing hands",
    "pros and cons",
];
/// Well-known organizations of several words — chains, employers, health systems, universities,
/// charities — by their folded words ("trader joe s" for "Trader Joe's"): named, capitalized, they
/// are organizations without any cue.
pub(crate) const ORGANIZATIONS: &str = "dollar tree|dollar general|fedex ground|fedex freight|fedex office|h e b|love s travel stop|pilot flying j|flying j|buc ee s|family dollar|home depot|best buy|taco bell|burger king|olive garden|\
    whole foods|trader joe s|planet fitness|foot locker|dick s sporting goods|bank of america|\
    wells fargo|chase bank|capital one|goldman sachs|morgan stanley|general motors|general electric|\
    little caesars|papa john s|pizza hut|dairy queen|waffle house|cracker barrel|red lobster|\
    buffalo wild wings|texas roadhouse|jack in the box|in n out|chick fil a|raising cane s|\
    five guys|panda express|golden corral|bed bath|best western|holiday inn|red roof inn|old navy|\
    food lion|piggly wiggly|winn dixie|giant eagle|harris teeter|fred meyer|king soopers|\
    hy vee|price chopper|market basket|food 4 less|rite aid|save a lot|sam s club|bj s wholesale|\
    tractor supply|ace hardware|bass pro shops|academy sports|big lots|ross dress for less|tj maxx|\
    burlington coat factory|bath body works|victoria s secret|american eagle|urban outfitters|\
    banana republic|dick s|jimmy john s|jersey mike s|krispy kreme|tim hortons|dutch bros|\
    panda express|shake shack|steak n shake|white castle|del taco|el pollo loco|long john silver s|\
    arby s|wendy s|denny s|chili s|applebee s|outback steakhouse|longhorn steakhouse|red robin|\
    ruby tuesday|bob evans|tgi fridays|hobby lobby|joann fabrics|bed bath beyond|home goods|\
    pet supplies plus|discount tire|jiffy lube|enterprise rent a car|\
    tyson foods|smithfield foods|pilgrim s pride|kraft heinz|general mills|\
    coca cola|pepsico|frito lay|anheuser busch|kaiser permanente|\
    banner health|sutter health|dignity health|atrium health|advocate aurora|sanford health|\
    baylor scott white|henry ford health|spectrum health|corewell health|mayo clinic|\
    cleveland clinic|johns hopkins|mass general|massachusetts general|cedars sinai|mount sinai|\
    nyu langone|ucla health|ut southwestern|md anderson|jackson memorial|parkland hospital|\
    grady memorial|bellevue hospital|harborview medical center|boston children s|\
    children s hospital of philadelphia|seattle children s|st jude|ohio state|penn state|\
    michigan state|arizona state|florida state|texas a m|georgia tech|virginia tech|\
    boston university|boston college|notre dame|johns hopkins university|carnegie mellon|\
    case western|wake forest|rice university|brigham young|cal state|city college|\
    amazon web services|meta platforms|apple store|microsoft store|home instead|\
    visiting angels|right at home|comfort keepers|brightstar care|goodwill industries|\
    salvation army|catholic charities|lutheran social services|jewish family services|\
    habitat for humanity|big brothers big sisters|boys girls club|planned parenthood|\
    legal aid society";
pub(crate) const CITIES: &str = "new york|los angeles|chicago|houston|phoenix|philadelphia|san antonio|san diego|dallas|\
    san jose|austin|jacksonville|fort worth|columbus|charlotte|indianapolis|san francisco|seattle|denver|\
    oklahoma city|nashville|el paso|boston|portland|las vegas|detroit|memphis|louisville|baltimore|milwaukee|\
    albuquerque|tucson|fresno|sacramento|mesa|kansas city|atlanta|omaha|colorado springs|raleigh|long beach|\
    virginia beach|miami|oakland|minneapolis|tulsa|bakersfield|wichita|arlington|aurora|tampa|new orleans|\
    cleveland|honolulu|anaheim|lexington|stockton|corpus christi|henderson|riverside|newark|st paul|santa ana|\
    cincinnati|irvine|orlando|pittsburgh|st louis|greensboro|jersey city|anchorage|lincoln|plano|durham|\
    buffalo|chandler|chula vista|toledo|madison|gilbert|reno|fort wayne|north las vegas|st petersburg|lubbock|\
    irving|laredo|winston salem|chesapeake|glendale|garland|scottsdale|norfolk|boise|fremont|spokane|\
    santa clarita|baton rouge|richmond|hialeah|san bernardino|tacoma|modesto|huntsville|des moines|yonkers|\
    rochester|moreno valley|fayetteville|fontana|columbus|worcester|port st lucie|little rock|augusta|oxnard|\
    birmingham|montgomery|frisco|amarillo|salt lake city|grand rapids|huntington beach|overland park|\
    knoxville|providence|chattanooga|tallahassee|sioux falls|springfield|savannah|ann arbor|berkeley|\
    cambridge|hartford|burlington|albany|syracuse|dayton|akron|eugene|olympia|bend|missoula|fargo|duluth|\
    cheyenne|charleston|asheville|wilmington|trenton|camden|harrisburg|allentown|scranton|flint|lansing|\
    kalamazoo|green bay|peoria|joliet|evanston|naperville|gary|toronto|vancouver|montreal|london|paris|\
    mumbai|delhi|lagos|manila|seoul|tokyo|beijing|shanghai|mexico city|guadalajara|tijuana|havana|\
    san juan|bronx|brooklyn|queens|harlem|hoboken|pasadena|burbank|compton|inglewood|cicero|skokie|\
    schaumburg|tempe|yuma|flagstaff|provo|ogden|boulder|pueblo|greeley|topeka|lawrence|ames|dubuque|\
    bloomington|muncie|gainesville|ocala|sarasota|pensacola|daytona beach|fort lauderdale|boca raton|\
    macon|athens|columbia|greenville|spartanburg|roanoke|lynchburg|bethesda|silver spring|rockville|\
    annapolis|dover|stamford|new haven|bridgeport|waterbury|providence|portsmouth|manchester|nashua|\
    bangor|lowell|quincy|brockton|salem|medford|bellevue|everett|yakima|tacoma";
pub(crate) const EMPLOYERS: &str = "walmart amazon costco goodwill brookdale kroger walgreens cvs starbucks mcdonalds mcdonald wendys chipotle publix safeway \
   albertsons meijer heb wegmans aldi lowes ikea fedex ups usps dunkin tesla microsoft doordash \
   instacart ubereats grubhub applebees chilis dennys ihop olive panera kfc arbys popeyes sonic jcpenney \
   macys nordstrom kohls marshalls tjmaxx sephora ulta gamestop petsmart petco autozone verizon comcast \
   xfinity spectrum boeing lockheed raytheon deloitte accenture walgreen riteaid ralphs vons hyvee \
   shoprite winco lidl kmart dillards belk burlington hobbylobby joann officemax bestbuy homegoods \
   chickfila zaxbys bojangles culvers whataburger hardees carls jollibee wingstop qdoba moes jimmyjohns \
   jerseymikes cinnabon auntieannes dutchbros timhortons krispykreme nike adidas amazonfresh shein temu \
   etsy ebay lyft airbnb spotify hulu disney pixar nvidia salesforce ibm qualcomm lenovo samsung sony \
   toyota honda nissan hyundai kia subaru chevrolet gmc chrysler stellantis cummins honeywell pfizer \
   moderna merck abbvie amgen genentech medtronic stryker mckesson cencora amtrak dhl mckinsey kpmg pwc \
   infosys wipro tcs jpmorgan citibank wellsfargo usaa schwab ameriprise allstate geico statefarm kaiser \
   sutter novant sentara inova medstar northwell geisinger upmc ochsner intermountain allina essentia \
   aspirus gundersen froedtert corewell beaumont sanford baylor parkland purdue harvard yale stanford \
   princeton emory tulane clemson gonzaga villanova georgetown fordham drexel rutgers uconn umass ucla \
   usc nyu unlv utep ucsd ucsf ucsb cuny suny marta bart mbta wmata trimet metra lirr capmetro wawa sheetz quiktrip racetrac mit byu lsu fsu uga ucf usf vcu gwu cargill valvoline shriners";

/// Every hand-written list with its flag (cities of one word are added as `CITY`).
pub(crate) const LISTS: &[(&str, u32)] = &[
    (MONTHS, MONTH),
    (WEEKDAYS, WEEKDAY),
    (TITLES, TITLE),
    (RELATIONS, RELATION),
    (STATES, STATE),
    (STREET_SUFFIXES, STREET_SUFFIX),
    (UNITS, UNIT),
    (DIRECTIONS, DIRECTION),
    (ORG_STRONG_WORDS, ORG_STRONG),
    (ORG_WEAK_WORDS, ORG_WEAK),
    (ORG_HEADS, ORG_HEAD),
    (PARTICLES, PARTICLE),
    (SPEECH_VERBS, SPEECH_VERB),
    (STOPS, STOP),
    (CLINICAL_WORDS, STOP),
    (MEDICATIONS, STOP),
    (EMPLOYERS, EMPLOYER),
    (FUNCTION_WORDS, FUNCTION),
    (DETERMINERS, DETERMINER),
    (FOLLOWING_VERBS, FOLLOW_VERB),
    (OPENING_VERBS, OPENING),
    (PLACE_CUES, PLACE_CUE),
    (TOWN_SUFFIXES, TOWN_SUFFIX),
    (DATE_WORDS, DATE_WORD),
    (SPANISH_WORDS, WORD),
    (FRENCH_WORDS, WORD),
    (VIETNAMESE_WORDS, WORD),
];

/// A fast, non-cryptographic hasher for short words (the Firefox/rustc multiply-rotate scheme).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The hash of a word in the lexicon table: FxHash of its bytes.
pub(crate) fn word_hash(word: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(word.as_bytes());
    h.finish()
}

/// The flag bits in use; the rest of a table slot's second word holds the fingerprint.
pub(crate) const FLAG_BITS: u32 = 28;

/// Four bits of a word's hash kept beside its flags in the table.
pub(crate) fn fingerprint(hash: u64) -> u32 {
    ((hash >> (64 - (32 - FLAG_BITS))) as u32) << FLAG_BITS
}

/// The first slot to try for a hash in a table of `slots` slots (Lemire's multiply-shift range
/// reduction; no power of two needed).
pub(crate) fn slot_of(hash: u64, slots: usize) -> usize {
    ((u128::from(hash) * slots as u128) >> 64) as usize
}
