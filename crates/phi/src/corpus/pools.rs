//! Word pools for the synthetic corpus. Deliberately not drawn from the detector's gazetteers, so
//! that the evaluation also measures names the gazetteers lack.

pub(super) const GIVEN: &[&str] = &[
    "Maria", "José", "Aaliyah", "DeShawn", "Oluwaseun", "Chidi", "Ngozi", "Kwame", "Abena", "Thandiwe", "Priya",
    "Arjun", "Ananya", "Rohan", "Mei", "Wei", "Xiaoling", "Hyun-woo", "Ji-yeon", "Minh", "Thuy", "Linh", "Kenji",
    "Haruka", "Aroha", "Mateo", "Sofía", "Valentina", "Guadalupe", "Joaquín", "Ximena", "Fatima", "Mohammed",
    "Youssef", "Layla", "Omar", "Zeynep", "Emre", "Dmitri", "Svetlana", "Katarzyna", "Wojciech", "Siobhan", "Niamh",
    "Seamus", "Bjørn", "Ingrid", "Zoë", "Chloé", "François", "Inês", "João", "Giulia", "Lorenzo", "Hope", "Grace",
    "Will", "June", "Faith", "Joy", "Summer", "Mark", "Rose", "Dawn", "Autumn", "April", "Destiny", "Hunter", "Chase",
    "Sunny", "Jordan", "Taylor", "Skyler", "River", "Emily", "Michael", "Jessica", "Tyler", "Brittany", "Jamal",
    "Keisha", "Tanisha", "Darnell", "Ebony", "Cody", "Brandon", "Ashley", "Kayla", "Dakota", "Kai", "Leilani",
    "Noelani", "Aiyana", "Tallulah", "Esperanza", "Marisol", "Yesenia", "Alejandro", "Catalina", "Nadia", "Rania",
    "Tariq", "Amira", "Yusuf", "Ravi", "Deepika", "Sanjay", "Gurpreet", "Harpreet", "Tenzin", "Pema", "Nomvula",
    "Kofi", "Ama", "Efua", "Makena", "Wanjiru", "Lwazi", "Eitan", "Shira", "Avraham", "Moshe", "Rivka", "Bao",
    "Quynh", "Tuan", "Anh", "Sione", "Malia", "Tavita", "Gwendolyn", "Mildred", "Eugene", "Harold", "Bernadette",
];

pub(super) const FAMILY: &[&str] = &[
    "Nguyen", "García", "Okafor", "Adeyemi", "Mensah", "Boateng", "Dlamini", "Patel", "Raghunathan", "Chen", "Li",
    "Wang", "Kim", "Park", "Tran", "Pham", "Yamamoto", "Tanaka", "Ngata", "Hernández", "Rodríguez", "Gutiérrez",
    "Castillo", "Alvarez", "Haddad", "Al-Masri", "Benali", "Yilmaz", "Öztürk", "Ivanova", "Kowalski", "Wiśniewska",
    "O'Sullivan", "McCarthy", "Ó Briain", "Lindqvist", "Johansson", "Dubois", "Fontaine", "Silva", "Ferreira",
    "Rossi", "Esposito", "Brown", "Young", "King", "Hill", "Price", "Love", "Strong", "Little", "Best", "Rice",
    "Wolf", "Banks", "Rivers", "Woods", "Smith", "Johnson", "Williams", "Washington", "Jefferson", "Jackson",
    "Thompson", "Whitfield", "Cartwright", "Blackwood", "Featherstone", "Kealoha", "Begay", "Yazzie", "Tsosie",
    "Running Bear", "Dasgupta", "Chatterjee", "Sandhu", "Gill", "Dhillon", "Tenzing", "Mukherjee", "Nakamura",
    "de la Cruz", "van der Berg", "dos Santos", "St. Clair", "Hughes-Whitaker", "Abernathy", "Quiñones", "Zapata",
    "Oyelaran", "Eze", "Nwosu", "Achebe", "Mwangi", "Kamau", "Otieno", "Haile", "Tesfaye", "Goldberg", "Katz",
    "Friedman", "Levi", "Vu", "Do", "Ly", "Fa'amausili", "Tuilagi", "Kahananui", "Moreau",
];

pub(super) const NICKNAMES: &[(&str, &str)] = &[
    ("William", "Billy"), ("Elizabeth", "Liz"), ("Katherine", "Katie"), ("Robert", "Bobby"), ("Alexander", "Sasha"),
    ("Margaret", "Peggy"), ("Francisco", "Paco"), ("Guadalupe", "Lupe"), ("Jennifer", "Jen"), ("Anthony", "Tony"),
    ("Christopher", "Chris"), ("Rebecca", "Becca"), ("Nathaniel", "Nate"), ("Theodore", "Teddy"), ("Ekaterina", "Katya"),
];

pub(super) const STREET_NAMES: &[&str] = &[
    "Oak", "Maple", "Larchmont", "Kingsley", "Juniper", "Willow Creek", "Martin Luther King Jr.", "Rue", "Chestnut",
    "Quarry Hill", "Peachtree", "Alvarado", "Cedar Ridge", "Harbor View", "3rd", "42nd", "Old Mill", "Sycamore",
    "Pinecrest", "Bluebonnet", "Kamehameha", "Elm", "Lakeshore", "Wren", "Magnolia",
];
pub(super) const STREET_SUFFIXES: &[&str] = &[
    "Street", "St", "Avenue", "Ave.", "Road", "Rd", "Lane", "Ln", "Drive", "Dr.", "Court", "Way", "Blvd", "Place",
    "Terrace", "Circle", "Pkwy",
];
pub(super) const CITIES: &[(&str, &str)] = &[
    ("Dayton", "OH"), ("Eau Claire", "WI"), ("Kalamazoo", "MI"), ("Bend", "OR"), ("Tulsa", "OK"), ("Lowell", "MA"),
    ("Hilo", "HI"), ("Flagstaff", "AZ"), ("Macon", "GA"), ("Yakima", "WA"), ("Duluth", "MN"), ("Gallup", "NM"),
    ("Paterson", "NJ"), ("Bowling Green", "KY"), ("Cedar Rapids", "IA"), ("Chula Vista", "CA"), ("Hialeah", "FL"),
    ("Scranton", "PA"), ("Pueblo", "CO"), ("Burlington", "VT"), ("Laredo", "TX"), ("Asheville", "NC"),
    ("Missoula", "MT"), ("Rapid City", "SD"), ("Lewiston", "ME"), ("Dover", "DE"), ("Boise", "ID"), ("Fargo", "ND"),
    ("Mobile", "AL"), ("Ogden", "UT"),
];
pub(super) const STATE_NAMES: &[&str] = &[
    "Ohio", "Texas", "Georgia", "Virginia", "Oregon", "Florida", "Michigan", "Arizona", "Maine", "Nevada",
];
pub(super) const EMPLOYERS: &[&str] = &[
    "Brightwater Logistics", "Hartley & Sons Plumbing", "Dunmore Paper Co", "Kessler Manufacturing",
    "Sunrise Senior Living", "Walmart", "Amazon", "Starbucks", "Target", "Home Depot", "Mercy General Hospital",
    "Pacific Northwest Bank", "Golden Dragon Restaurant", "Tri-County Transit", "Acme Roofing LLC",
    "Northside Auto Body", "Blue Heron Café", "Redwood Credit Union", "Holloway Construction", "Cornerstone Realty",
];
pub(super) const SCHOOLS: &[&str] = &[
    "Lincoln High School", "Jefferson Middle School", "Riverside Elementary", "Eau Claire Memorial High School",
    "University of Vermont", "Portland Community College", "St. Agnes Catholic School", "Oak Ridge Academy",
    "Cesar Chavez Middle School", "Northwestern University", "Kapiolani Community College", "Westview High",
];
pub(super) const CHURCHES: &[&str] = &[
    "First Baptist Church", "St. Mary's Parish", "Masjid Al-Noor", "Temple Beth El", "New Hope Fellowship",
    "Grace Lutheran Church", "Korean Presbyterian Church of Dayton",
];
pub(super) const FACILITIES: &[&str] = &[
    "Cedar Hills Hospital", "Riverbend Recovery Center", "St. Vincent's Medical Center", "Lakeside Behavioral Health",
    "Hazelden Betty Ford", "Oakwood Detox", "Valley View Psychiatric Hospital", "Sunrise House",
];
pub(super) const RELATIONS: &[&str] = &[
    "boss", "ex", "ex-husband", "ex-wife", "best friend", "friend", "girlfriend", "boyfriend", "sister", "brother",
    "mother", "father", "stepdad", "coworker", "roommate", "neighbor", "cousin", "aunt", "uncle", "sponsor",
    "daughter", "son", "grandmother", "partner", "supervisor", "teacher", "coach", "pastor", "landlord",
];
pub(super) const CREDENTIALS: &[&str] = &["LCSW", "LPC", "PhD", "PsyD", "LMFT", "MD", "PMHNP-BC", "LMHC"];
pub(super) const MEDS: &[&str] = &[
    "sertraline", "Zoloft", "fluoxetine", "escitalopram", "Lexapro", "bupropion", "Wellbutrin", "quetiapine",
    "Seroquel", "aripiprazole", "lithium", "lamotrigine", "Lamictal", "trazodone", "buspirone", "hydroxyzine",
    "prazosin", "clonazepam", "Adderall", "methylphenidate", "naltrexone", "Suboxone", "buprenorphine",
    "mirtazapine", "venlafaxine", "duloxetine", "gabapentin", "propranolol", "olanzapine", "Vyvanse",
];
pub(super) const DOSES: &[&str] = &["25 mg", "50mg", "100 mg", "0.5 mg", "150 mg XL", "10 mg", "20mg daily", "300 mg"];
pub(super) const DIAGNOSES: &[(&str, &str)] = &[
    ("F32.1", "major depressive disorder, single episode, moderate"), ("F41.1", "generalized anxiety disorder"),
    ("F43.10", "PTSD"), ("F33.2", "MDD, recurrent, severe"), ("F90.0", "ADHD, inattentive"),
    ("F10.20", "alcohol use disorder, moderate"), ("F11.20", "opioid use disorder, moderate"),
    ("F43.23", "adjustment disorder with mixed anxiety and depressed mood"), ("F60.3", "borderline personality disorder"),
    ("F31.81", "bipolar II disorder"), ("F42.2", "OCD"), ("F50.00", "anorexia nervosa"), ("Z63.0", "relationship distress"),
    ("F32.A", "depression, unspecified"),
];
pub(super) const SERVICE_CODES: &[&str] = &["90791", "90832", "90834", "90837", "90846", "90847", "90853", "96127", "H0004", "99213", "90839"];
pub(super) const MODALITIES: &[&str] = &[
    "CBT", "DBT", "EMDR", "ACT", "motivational interviewing", "IPT", "TF-CBT", "exposure and response prevention",
    "CPT", "behavioral activation", "mindfulness", "solution-focused therapy", "psychoeducation", "Gottman method",
];
pub(super) const INSTRUMENTS: &[(&str, u32)] = &[("PHQ-9", 27), ("GAD-7", 21), ("PCL-5", 80), ("AUDIT-C", 12), ("PHQ-2", 6)];
pub(super) const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
];
pub(super) const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
pub(super) const DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "hotmail.com", "comcast.net"];
