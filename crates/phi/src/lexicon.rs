//! Word lists, folded to lower case ASCII: the name gazetteers shipped in `data/` (sources in
//! `data/build.py`) and the short hand-written lists of cue words. One map answers every
//! question about a word with one lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

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
/// Ends the name of a town: "Shaker Heights", "Cedar Rapids", "Salt Lake".
pub(crate) const TOWN_SUFFIX: u32 = 1 << 25;
/// First word of a listed phrase (a stop phrase or a city of several words): only these are checked.
pub(crate) const PHRASE_HEAD: u32 = 1 << 19;

const MONTHS: &str = "january february march april may june july august september october november december \
    jan feb mar apr jun jul aug sep sept oct nov dec \
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre";
const WEEKDAYS: &str = "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun \
    mondays tuesdays wednesdays thursdays fridays saturdays sundays weekend weekends \
    lunes martes miercoles jueves viernes sabado domingo";
const TITLES: &str = "mr mrs ms miss mx dr doctor prof professor rev reverend fr pastor officer judge coach aunt auntie \
    uncle grandma grandpa granny nana pastor sgt sergeant capt captain lt det detective nurse principal counselor \
    sister brother cousin deacon rabbi imam father mister madam sra sr senor senora don dona mme mlle herr frau";
const RELATIONS: &str = "boss supervisor manager coworker colleague friend bestie bff girlfriend boyfriend partner wife \
    husband spouse fiance fiancee ex mom mother mum dad father stepmom stepmother stepdad stepfather sister brother \
    sibling son daughter stepson stepdaughter stepbrother stepsister aunt uncle cousin niece nephew grandmother \
    grandfather grandma grandpa grandson granddaughter roommate neighbor neighbour teacher coach pastor priest rabbi \
    imam therapist psychiatrist counselor doctor pcp sponsor caseworker lawyer attorney landlord landlady tutor \
    mentor classmate teammate child kid baby infant toddler twin guardian caregiver aide babysitter nanny \
    boyfriends girlfriends exes sisters brothers sons daughters kids children friends cousins parents parent \
    dating named called nicknamed tio tia abuela abuelo abuelita mami papi primo prima";
const STATES: &str = "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii \
    idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota \
    mississippi missouri montana nebraska nevada hampshire jersey mexico york carolina dakota ohio oklahoma oregon \
    pennsylvania rhode island tennessee texas utah vermont virginia washington wisconsin wyoming puerto rico \
    al ak az ar ca co ct de fl ga hi ia il in ks ky la ma md mi mn mo ms mt nc nd ne nh nj nm nv ny oh ok or pa \
    ri sc sd tn tx ut va vt wa wi wv wy dc pr";
const STREET_SUFFIXES: &str = "street st avenue ave av road rd boulevard blvd lane ln drive dr court ct way place \
    pl terrace ter circle cir parkway pkwy highway hwy trail trl loop square sq pike row alley crescent path \
    ridge crossing heights plaza plz";
const UNITS: &str = "apt apartment unit suite ste floor fl rm bldg building lot box";
const DIRECTIONS: &str = "n s e w ne nw se sw north south east west northeast northwest southeast southwest";
const ORG_STRONG_WORDS: &str = "inc incorporated llc llp ltd corp corporation company companies hospital hospitals \
    clinic clinics school schools academy university college institute church temple mosque synagogue chapel \
    cathedral ministries bank foundation associates pharmacy daycare preschool kindergarten elementary seminary \
    hs tabernacle parish";
const ORG_WEAK_WORDS: &str = "center centre services solutions industries enterprises holdings systems technologies \
    tech labs laboratories logistics construction insurance healthcare manufacturing consulting realty salon \
    fitness gym farms bakery diner grill restaurant cafe market store stores shop depot warehouse motors auto \
    garage agency firm studio studios club supermarket hotel inn resort casino factory mill group co partners \
    trucking plumbing electric landscaping cleaners dental clinicians partnership network shelter health \
    behavioral wellness recovery detox rehab house lodge ranch manor village fellowship parish high union body \
    bakery pizza pizzeria tavern pub bar";
const ORG_HEADS: &str = "university bank church college academy school institute masjid temple congregation camp";
const PARTICLES: &str = "de la del della der van von da di dos das du le bin ibn al el ben st mac ter ten y";
const SPEECH_VERBS: &str = "said says reported reports stated states told tells texted texts called calls asked asks \
    yelled screamed explained mentioned shared admitted agreed refused cried laughed wrote emailed visited \
    wants wanted thinks believes feels felt";
const STOPS: &str = "dari pashto tigrinya oromo yoruba igbo hausa esq esquire jd \
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
    phq gad pcl bdi bai mdd ptsd adhd ocd bpd sud aud etoh thc cbd icu iop php roi hipaa icd dsm cssrs \
    lcsw lpc lmft lmhc psyd phd md np rn msw lcdc cadc bcba pmhnp aprn lcpc lpcc lisw licsw \
    english spanish french german chinese mandarin cantonese japanese korean vietnamese arabic hindi urdu \
    punjabi bengali russian ukrainian polish portuguese italian greek turkish farsi persian somali amharic \
    swahili tagalog filipino haitian creole hmong navajo asl american african mexican latino latina latinx \
    hispanic asian european caucasian jewish muslim catholic protestant baptist methodist lutheran buddhist \
    hindu sikh mormon lds atheist agnostic pentecostal evangelical \
    america usa canada china india japan korea vietnam philippines germany france england britain \
    ireland italy spain russia ukraine iraq afghanistan iran syria israel palestine egypt nigeria ghana kenya \
    ethiopia somalia brazil colombia venezuela cuba haiti jamaica guatemala honduras salvador dominican \
    christmas thanksgiving easter halloween hanukkah ramadan eid passover kwanzaa \
    medicaid medicare tricare aetna cigna humana anthem bcbs unitedhealthcare optum magellan ambetter \
    zoom facetime skype google facebook instagram tiktok snapchat twitter whatsapp discord reddit youtube \
    netflix iphone android telehealth doxy \
    covid coronavirus tylenol ssri snri maoi tca benzo benzos \
    subjective objective assessment plan data behavior intervention response goals goal summary diagnosis \
    client patient pt session note mse affect mood bid tid qid qhs prn hx sx tx dx rx fx pmh hpi ros \
    lol idk tbh btw omg thx pls plz ok okay cuz gonna wanna yall ur \
    moca mmse slums asrs mdq ybocs bprs cage dast epds ace aces whodas ors srs cans asam phqa ssrs \
    shabbat sabbath diwali lent kippur hashanah purim sukkot vesak lunar";
const FUNCTION_WORDS: &str = "he she her him his hers they them their it its we us you i me my our your this that these those who whom the a an and or but if so to of in on at by for with from up per as is was be not no";
const DETERMINERS: &str = "the a an of this that our your their its any some no each every";
const FOLLOWING_VERBS: &str = "took takes keeps kept comes came is was has had and got gets went goes left did does never always just still hit yelled won't wont cant can't";
const OPENING_VERBS: &str = "met saw will may can see per did had has said told asked spoke called noted reviewed discussed reports states plans also then when while after before thanks thank dear hi hello hey love miss ask call tell text bring";
const PLACE_CUES: &str =
    "in to from near outside visiting visit around at for by off of on attends attending attended en";
const TOWN_SUFFIXES: &str = "heights springs falls beach city park hills valley lake rapids harbor bay creek grove junction \
    port village township mills landing crossing ford bluffs";
const STOP_PHRASES: &[&str] = &[
    "beck depression inventory",
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
    "motivational interviewing",
    "wise mind",
];
const CITIES: &str = "new york|los angeles|chicago|houston|phoenix|philadelphia|san antonio|san diego|dallas|\
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
const EMPLOYERS: &str = "walmart amazon costco kroger walgreens cvs starbucks mcdonalds mcdonald wendys \
    chipotle publix safeway albertsons meijer heb wegmans aldi lowes ikea fedex ups usps dunkin \
    tesla microsoft doordash instacart ubereats grubhub applebees chilis dennys ihop olive \
    panera kfc arbys popeyes sonic jcpenney macys nordstrom kohls marshalls tjmaxx sephora ulta gamestop \
    petsmart petco autozone verizon comcast xfinity spectrum boeing lockheed raytheon deloitte accenture \
    walgreen riteaid";

type FxMap = HashMap<&'static str, u32, BuildHasherDefault<FxHasher>>;

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

pub(crate) struct Lexicon {
    words: FxMap,
    stop_phrases: Vec<&'static str>,
    /// Cities of several words, by their first word.
    cities: HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<FxHasher>>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("words", &self.words.len()).finish()
    }
}

/// The lexicon, built on first use (a few milliseconds).
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::build)
}

impl Lexicon {
    fn build() -> Lexicon {
        let mut words = FxMap::with_capacity_and_hasher(230_000, Default::default());
        let mut add = |list: &'static str, flag: u32| {
            for w in list.split_ascii_whitespace() {
                *words.entry(w).or_insert(0) |= flag;
            }
        };
        add(include_str!("../data/given.txt"), GIVEN);
        add(include_str!("../data/family.txt"), FAMILY);
        add(include_str!("../data/english.txt"), WORD);
        for (list, flag) in [
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
            (EMPLOYERS, EMPLOYER),
            (FUNCTION_WORDS, FUNCTION),
            (DETERMINERS, DETERMINER),
            (FOLLOWING_VERBS, FOLLOW_VERB),
            (OPENING_VERBS, OPENING),
            (PLACE_CUES, PLACE_CUE),
            (TOWN_SUFFIXES, TOWN_SUFFIX),
        ] {
            add(list, flag);
        }
        let mut cities: HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<FxHasher>> = HashMap::default();
        for city in CITIES.split('|').map(str::trim).filter(|c| !c.is_empty()) {
            match city.split_once(' ') {
                None => *words.entry(city).or_insert(0) |= CITY,
                Some((first, _)) => {
                    *words.entry(first).or_insert(0) |= PHRASE_HEAD;
                    cities.entry(first).or_default().push(city);
                }
            }
        }
        let stop_phrases: Vec<&'static str> = STOP_PHRASES.to_vec();
        for phrase in &stop_phrases {
            *words.entry(phrase.split(' ').next().unwrap_or(phrase)).or_insert(0) |= PHRASE_HEAD;
        }
        Lexicon { words, stop_phrases, cities }
    }

    /// Every flag of a folded word.
    pub(crate) fn flags(&self, word: &str) -> u32 {
        self.words.get(word).copied().unwrap_or(0)
    }

    /// Multi-word phrases that are never identifiers ("Beck Depression Inventory").
    pub(crate) fn stop_phrases(&self) -> &[&'static str] {
        &self.stop_phrases
    }

    /// City names of several words starting with `first` ("salt" → "salt lake city").
    pub(crate) fn cities_from(&self, first: &str) -> &[&'static str] {
        self.cities.get(first).map_or(&[], Vec::as_slice)
    }
}

/// Every name a name may also go by, from `NICKNAMES`, indexed both ways round.
pub(crate) fn also_known_as(name: &str) -> &'static [&'static str] {
    static INDEX: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (full, short) in NICKNAMES {
            index.entry(full).or_default().extend(short.iter().copied());
            for s in *short {
                index.entry(s).or_default().push(full);
            }
        }
        index
    });
    index.get(name).map_or(&[], Vec::as_slice)
}

/// Common English short forms for given names, both ways round (a chart's "William" is also "Bill").
const NICKNAMES: &[(&str, &[&str])] = &[
    ("william", &["will", "bill", "billy", "willy", "liam", "willie"]),
    ("robert", &["rob", "bob", "bobby", "robbie", "bert"]),
    ("richard", &["rich", "rick", "ricky", "dick", "richie"]),
    ("elizabeth", &["liz", "beth", "betty", "eliza", "lizzie", "libby", "betsy", "ellie"]),
    ("margaret", &["maggie", "meg", "peggy", "marge", "margie", "greta"]),
    ("katherine", &["kate", "katie", "kathy", "kat", "kit", "kay"]),
    ("catherine", &["cate", "cathy", "kate", "katie", "cat"]),
    ("jennifer", &["jen", "jenny", "jenn"]),
    ("jessica", &["jess", "jessie"]),
    ("michael", &["mike", "mikey", "mick", "mickey"]),
    ("christopher", &["chris", "topher", "kit"]),
    ("christina", &["chris", "tina", "chrissy"]),
    ("christine", &["chris", "tina", "chrissy"]),
    ("joseph", &["joe", "joey", "jo"]),
    ("josephine", &["jo", "josie"]),
    ("thomas", &["tom", "tommy"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("john", &["jack", "johnny", "jon"]),
    ("jonathan", &["jon", "jonny", "nate"]),
    ("daniel", &["dan", "danny"]),
    ("danielle", &["dani", "elle"]),
    ("david", &["dave", "davey"]),
    ("anthony", &["tony", "ant"]),
    ("antonio", &["tony", "toni"]),
    ("edward", &["ed", "eddie", "ted", "ned"]),
    ("alexander", &["alex", "al", "xander", "sasha", "lex"]),
    ("alexandra", &["alex", "lexi", "sasha", "sandra", "ally"]),
    ("alejandro", &["alex", "ale"]),
    ("andrew", &["andy", "drew"]),
    ("benjamin", &["ben", "benny", "benji"]),
    ("samuel", &["sam", "sammy"]),
    ("samantha", &["sam", "sammy"]),
    ("matthew", &["matt", "matty"]),
    ("nicholas", &["nick", "nicky", "nico"]),
    ("patrick", &["pat", "paddy"]),
    ("patricia", &["pat", "patty", "trish", "tricia"]),
    ("steven", &["steve", "stevie"]),
    ("stephen", &["steve", "stevie"]),
    ("stephanie", &["steph", "stephie"]),
    ("timothy", &["tim", "timmy"]),
    ("charles", &["charlie", "chuck", "chas"]),
    ("charlotte", &["charlie", "lottie"]),
    ("rebecca", &["becky", "becca"]),
    ("deborah", &["deb", "debbie"]),
    ("susan", &["sue", "susie", "suzy"]),
    ("victoria", &["vicky", "tori"]),
    ("abigail", &["abby", "gail"]),
    ("gabriel", &["gabe"]),
    ("gabriela", &["gabby", "gabi"]),
    ("gabrielle", &["gabby", "elle"]),
    ("isabella", &["bella", "izzy", "isa"]),
    ("isabel", &["izzy", "bel"]),
    ("francisco", &["paco", "pancho", "frank"]),
    ("francis", &["frank", "fran"]),
    ("frances", &["fran", "frannie"]),
    ("jose", &["pepe", "joe"]),
    ("guadalupe", &["lupe", "lupita"]),
    ("eduardo", &["eddie", "lalo"]),
    ("manuel", &["manny"]),
    ("raymond", &["ray"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donnie"]),
    ("kenneth", &["ken", "kenny"]),
    ("gregory", &["greg"]),
    ("jeffrey", &["jeff"]),
    ("joshua", &["josh"]),
    ("zachary", &["zach", "zack"]),
    ("nathaniel", &["nate", "nat"]),
    ("nathan", &["nate"]),
    ("theodore", &["ted", "teddy", "theo"]),
    ("oliver", &["ollie"]),
    ("olivia", &["liv", "livvy", "ollie"]),
    ("emily", &["em", "emmy"]),
    ("emma", &["em"]),
    ("amanda", &["mandy"]),
    ("melissa", &["mel", "missy"]),
    ("madison", &["maddie", "maddy"]),
    ("madeline", &["maddie", "maddy"]),
    ("penelope", &["penny"]),
    ("dorothy", &["dot", "dottie"]),
    ("evelyn", &["evie"]),
    ("lawrence", &["larry"]),
    ("leonard", &["leo", "len", "lenny"]),
    ("vincent", &["vince", "vinny"]),
    ("frederick", &["fred", "freddie"]),
    ("harold", &["harry", "hal"]),
    ("henry", &["hank", "harry"]),
    ("walter", &["walt", "wally"]),
    ("gerald", &["gerry", "jerry"]),
    ("jacqueline", &["jackie"]),
    ("valerie", &["val"]),
    ("veronica", &["ronnie", "vero"]),
    ("cynthia", &["cindy"]),
    ("kimberly", &["kim"]),
    ("pamela", &["pam"]),
    ("sandra", &["sandy"]),
    ("teresa", &["terry", "tess"]),
    ("theresa", &["terry", "tess"]),
    ("virginia", &["ginny", "ginger"]),
    ("mohammed", &["mo"]),
    ("muhammad", &["mo"]),
    ("mohammad", &["mo"]),
    ("alexei", &["sasha", "lyosha"]),
    ("dmitri", &["dima"]),
    ("ekaterina", &["katya"]),
    ("yekaterina", &["katya"]),
    ("natalia", &["natasha", "nat"]),
    ("anastasia", &["nastya", "ana", "stacy"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteers_load_with_their_flags() {
        let lex = lexicon();
        assert_ne!(lex.flags("maria") & GIVEN, 0);
        assert_ne!(lex.flags("nguyen") & FAMILY, 0);
        assert_ne!(lex.flags("okafor") & FAMILY, 0);
        assert_ne!(lex.flags("hope") & WORD, 0);
        assert_ne!(lex.flags("therapy") & WORD, 0);
        assert_eq!(lex.flags("nguyen") & WORD, 0);
        assert_eq!(lex.flags("maria") & WORD, 0);
        assert_ne!(lex.flags("june") & MONTH, 0);
        assert_ne!(lex.flags("sertraline") & STOP, 0);
        assert_eq!(lex.flags("zzqx"), 0);
        assert!(lex.cities_from("salt").contains(&"salt lake city"));
    }
}
